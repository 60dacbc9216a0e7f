using System.Text;

namespace Afml.Core.Exchange.Binance;

/// <summary>
/// An API key and its secret. The secret is kept only as UTF-8 bytes for the signer: no property returns it and
/// <see cref="ToString"/> shows a masked key, so it cannot reach a log, an exception message or the status file.
/// </summary>
public sealed class BinanceCredentials
{
    public const string TestnetKeyVariable = "BINANCE_TESTNET_API_KEY";
    public const string TestnetSecretVariable = "BINANCE_TESTNET_API_SECRET";
    public const string LiveKeyVariable = "BINANCE_API_KEY";
    public const string LiveSecretVariable = "BINANCE_API_SECRET";

    private readonly byte[] _secret;

    public BinanceCredentials(string apiKey, string secret)
    {
        if (string.IsNullOrWhiteSpace(apiKey)) throw new ArgumentException("The API key is empty.", nameof(apiKey));
        if (string.IsNullOrEmpty(secret)) throw new ArgumentException("The API secret is empty.", nameof(secret));
        ApiKey = apiKey.Trim();
        _secret = Encoding.UTF8.GetBytes(secret.Trim());
    }

    /// <summary>Sent as the X-MBX-APIKEY header.</summary>
    public string ApiKey { get; }

    /// <summary>The HMAC key; only <see cref="BinanceSigner"/> reads it.</summary>
    internal ReadOnlySpan<byte> SecretBytes => _secret;

    /// <summary>The variables the seed reads: BINANCE_TESTNET_API_KEY/SECRET for the testnet, BINANCE_API_KEY/SECRET live.</summary>
    public static (string Key, string Secret) VariableNames(bool testnet) =>
        testnet ? (TestnetKeyVariable, TestnetSecretVariable) : (LiveKeyVariable, LiveSecretVariable);

    /// <summary>Credentials from the environment; a missing or empty variable is the seed's
    /// "Credenciales no encontradas" error naming the variables.</summary>
    public static BinanceCredentials FromEnvironment(bool testnet, IEnvironmentReader? environment = null)
    {
        environment ??= new ProcessEnvironmentReader();
        var (keyName, secretName) = VariableNames(testnet);
        var key = environment.Get(keyName);
        var secret = environment.Get(secretName);
        var missing = new List<string>(2);
        if (string.IsNullOrWhiteSpace(key)) missing.Add(keyName);
        if (string.IsNullOrWhiteSpace(secret)) missing.Add(secretName);
        if (missing.Count > 0)
            throw new AfmlException("CredentialsNotFound", AfmlErrorCategory.AuthenticationError,
                $"Credenciales no encontradas: define {keyName} y {secretName} ({(testnet ? "testnet" : "real")}); falta(n) {string.Join(", ", missing)}.",
                missing[0]);
        return new BinanceCredentials(key!, secret!);
    }

    public override string ToString() => $"BinanceCredentials {{ ApiKey = {Mask(ApiKey)} }}";

    private static string Mask(string key) => key.Length <= 8 ? "****" : $"{key[..4]}…{key[^4..]}";
}
