using System.Security.Cryptography;
using System.Text;
using Afml.Core;
using Afml.Core.Exchange.Binance;

namespace Afml.Tests.Exchange.Binance;

public class BinanceSignerTests
{
    private const string FuturesSecret = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";

    [Theory]
    [InlineData(FuturesSecret,
        "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943",
        "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9")]
    [InlineData(FuturesSecret, // query + body concatenated with no '&'
        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC" + "quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943",
        "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4")]
    [InlineData("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
        "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71")]
    public void Signs_the_documented_test_vectors(string secret, string message, string expected)
    {
        var signer = new BinanceSigner(new BinanceCredentials("key", secret));
        Assert.Equal(expected, signer.Sign(message));
    }

    [Fact]
    public void Secret_never_appears_in_ToString()
    {
        var creds = new BinanceCredentials("abcdefghijklmnop", FuturesSecret);
        Assert.DoesNotContain(FuturesSecret, creds.ToString());
        Assert.DoesNotContain("abcdefghijklmnop", creds.ToString()); // the key is masked too
        Assert.DoesNotContain(FuturesSecret, new BinanceSigner(creds).ToString());
        Assert.DoesNotContain(creds.GetType().GetProperties(), p => p.PropertyType == typeof(string) && (string?)p.GetValue(creds) == FuturesSecret);
    }

    [Fact]
    public void Credentials_come_from_the_seed_variables()
    {
        var env = new DictionaryEnvironment(new()
        {
            ["BINANCE_TESTNET_API_KEY"] = "tk", ["BINANCE_TESTNET_API_SECRET"] = "ts",
            ["BINANCE_API_KEY"] = "lk", ["BINANCE_API_SECRET"] = "ls",
        });
        Assert.Equal("tk", BinanceCredentials.FromEnvironment(testnet: true, env).ApiKey);
        Assert.Equal("lk", BinanceCredentials.FromEnvironment(testnet: false, env).ApiKey);
        var signer = new BinanceSigner(BinanceCredentials.FromEnvironment(testnet: true, env));
        Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData("ts"u8, Encoding.UTF8.GetBytes("a=1"))), signer.Sign("a=1"));
    }

    [Fact]
    public void Missing_credentials_name_the_variables()
    {
        var env = new DictionaryEnvironment(new() { ["BINANCE_TESTNET_API_KEY"] = "tk" });
        var ex = Assert.Throws<AfmlException>(() => BinanceCredentials.FromEnvironment(testnet: true, env));
        Assert.Equal("CredentialsNotFound", ex.ErrorId);
        Assert.Contains("Credenciales no encontradas", ex.Message);
        Assert.Contains("BINANCE_TESTNET_API_SECRET", ex.Message);
        Assert.Equal("BINANCE_TESTNET_API_SECRET", ex.Target);
        var live = Assert.Throws<AfmlException>(() => BinanceCredentials.FromEnvironment(testnet: false, env));
        Assert.Contains("BINANCE_API_KEY", live.Message);
        Assert.Contains("BINANCE_API_SECRET", live.Message);
    }

    private sealed class DictionaryEnvironment(Dictionary<string, string> values) : IEnvironmentReader
    {
        public string? Get(string name) => values.GetValueOrDefault(name);
    }
}
