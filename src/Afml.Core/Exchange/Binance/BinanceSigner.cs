using System.Security.Cryptography;
using System.Text;

namespace Afml.Core.Exchange.Binance;

/// <summary>HMAC-SHA256 of the exact parameter string sent (query string, then body with no separator), as
/// lowercase hex: Binance's SIGNED request scheme.</summary>
public sealed class BinanceSigner(BinanceCredentials credentials)
{
    public string ApiKey => credentials.ApiKey;

    public string Sign(string totalParams)
    {
        ArgumentNullException.ThrowIfNull(totalParams);
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(credentials.SecretBytes, Encoding.UTF8.GetBytes(totalParams), hash);
        return Convert.ToHexStringLower(hash);
    }

    public override string ToString() => $"BinanceSigner {{ {credentials} }}";
}
