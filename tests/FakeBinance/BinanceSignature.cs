using System.Security.Cryptography;
using System.Text;

namespace Afml.FakeBinance;

/// <summary>Binance's HMAC-SHA256 request signature: lowercase hex of HMAC(secret, queryString + body).</summary>
public static class BinanceSignature
{
    public static string Compute(string secret, string totalParams) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(totalParams)));
}
