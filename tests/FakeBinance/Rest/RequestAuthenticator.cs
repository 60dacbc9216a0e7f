namespace Afml.FakeBinance.Rest;

/// <summary>The API-key header, the HMAC over the exact bytes sent and the timestamp/recvWindow rule (doc §2).
/// <paramref name="checkTimestamps"/> false skips only the timestamp-against-now rule (see
/// <see cref="FakeBinanceOptions.CheckTimestamps"/>).</summary>
internal sealed class RequestAuthenticator(string apiKey, string apiSecret, bool checkTimestamps = true)
{
    private const long MaxRecvWindow = 60_000;
    private const long DefaultRecvWindow = 5_000;

    public BinanceError? CheckKey(string? headerValue)
    {
        if (string.IsNullOrEmpty(headerValue)) return BinanceError.ApiKeyFormat;
        return string.Equals(headerValue, apiKey, StringComparison.Ordinal) ? null : BinanceError.RejectedKey;
    }

    /// <returns>Whether the signature was valid (null when the check never ran) and the error to answer.</returns>
    public (bool? SignatureValid, BinanceError? Error) CheckSigned(string rawQuery, string rawBody, RequestParameters p, long serverNow)
    {
        if (!p.TryLong("timestamp", out var timestamp, out var bad)) return (null, bad ?? BinanceError.Mandatory("timestamp"));
        var recvWindow = DefaultRecvWindow;
        if (p.Has("recvWindow"))
        {
            if (!p.TryLong("recvWindow", out recvWindow, out bad) || recvWindow <= 0 || recvWindow > MaxRecvWindow)
                return (null, BinanceError.BadParam("recvWindow"));
        }
        var signed = SignedMessage(rawQuery, rawBody, out var signature);
        if (signature is null) return (null, BinanceError.Mandatory("signature"));
        var expected = BinanceSignature.Compute(apiSecret, signed);
        if (!string.Equals(expected, signature, StringComparison.OrdinalIgnoreCase)) return (false, BinanceError.Signature);
        if (!checkTimestamps) return (true, null);
        if (timestamp >= serverNow + 1000) return (true, BinanceError.AheadOfServer);
        if (serverNow - timestamp > recvWindow) return (true, BinanceError.OutsideRecvWindow);
        return (true, null);
    }

    /// <summary>The query string with its trailing signature removed, followed directly by the body (or the body
    /// with its trailing signature removed). The signature must be the last parameter of the part it is in.</summary>
    internal static string SignedMessage(string rawQuery, string rawBody, out string? signature)
    {
        if (TrySplit(rawQuery, out var query, out signature)) return query + rawBody;
        if (TrySplit(rawBody, out var body, out signature)) return rawQuery + body;
        signature = null;
        return rawQuery + rawBody;
    }

    private static bool TrySplit(string raw, out string rest, out string? signature)
    {
        rest = raw;
        signature = null;
        int start;
        if (raw.StartsWith("signature=", StringComparison.Ordinal)) start = 0;
        else
        {
            var at = raw.LastIndexOf("&signature=", StringComparison.Ordinal);
            if (at < 0) return false;
            start = at + 1;
        }
        var value = raw[(start + "signature=".Length)..];
        if (value.Contains('&')) return false; // not the last parameter
        signature = value;
        rest = start == 0 ? "" : raw[..(start - 1)];
        return signature.Length > 0;
    }
}
