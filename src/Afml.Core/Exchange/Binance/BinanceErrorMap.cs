namespace Afml.Core.Exchange.Binance;

/// <summary>
/// Binance's HTTP status and error code → <see cref="ExchangeErrorKind"/>, per the API notes (§6). The code decides
/// when there is one; the status only classifies 418/429/408/5xx. Failures that definitely did nothing and may be
/// retried (503 "Service Unavailable.", -1001 internal error) map to <see cref="ExchangeErrorKind.Network"/>; a
/// 5xx of any other kind is an unknown outcome.
/// </summary>
public static class BinanceErrorMap
{
    public static ExchangeError Map(int httpStatus, int? code, string? message)
    {
        var msg = string.IsNullOrWhiteSpace(message) ? $"HTTP {httpStatus}" : message.Trim();
        var kind = Classify(httpStatus, code, msg);
        return new ExchangeError(kind, code, msg);
    }

    public static ExchangeErrorKind Classify(int httpStatus, int? code, string message)
    {
        if (httpStatus == 418) return ExchangeErrorKind.Banned;
        if (httpStatus == 429) return ExchangeErrorKind.RateLimited;
        switch (code)
        {
            case -1021 or -5028: return ExchangeErrorKind.InvalidTimestamp;
            case -1022 or -2014 or -2015: return ExchangeErrorKind.Unauthorized;
            case -2018 or -2019: return ExchangeErrorKind.InsufficientBalance;
            case -2013 or -2011: return ExchangeErrorKind.UnknownOrder;
            case -1000 or -1006 or -1007: return ExchangeErrorKind.Unknown;
            case -1003 or -1015 or -1008: return ExchangeErrorKind.RateLimited;
            case -1001: return ExchangeErrorKind.Network;
        }
        if (httpStatus == 408) return ExchangeErrorKind.Unknown;
        if (httpStatus == 401) return ExchangeErrorKind.Unauthorized;
        if (httpStatus == 403) return ExchangeErrorKind.RateLimited; // WAF limit: back off, nothing was executed
        if (httpStatus >= 500)
        {
            if (message.StartsWith("Service Unavailable", StringComparison.OrdinalIgnoreCase)
                || message.StartsWith("Internal error; unable to process your request", StringComparison.OrdinalIgnoreCase))
                return ExchangeErrorKind.Network;
            return ExchangeErrorKind.Unknown;
        }
        if (code is null && httpStatus is >= 200 and < 300) return ExchangeErrorKind.Unknown;
        return ExchangeErrorKind.Rejected;
    }

    /// <summary>True when an order that got this error may have been executed: it must be looked up, not resent.</summary>
    public static bool IsOutcomeUnknown(ExchangeError error) => error.Kind == ExchangeErrorKind.Unknown;
}
