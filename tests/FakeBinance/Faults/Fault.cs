namespace Afml.FakeBinance;

/// <summary>One scripted misbehaviour. Use the ready-made values and adjust with <c>with { ... }</c>.</summary>
public sealed record Fault(FaultKind Kind)
{
    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(30);
    public int Status { get; init; } = 500;
    /// <summary>Binance error code of the body; null sends a non-JSON (HTML) body as a gateway would.</summary>
    public int? Code { get; init; }
    public string Message { get; init; } = "";
    /// <summary>Whether the request takes effect (order accepted and filled) before the error is returned.</summary>
    public bool Execute { get; init; }
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);
    public decimal FillRatio { get; init; } = 0.5m;

    public static Fault TimeoutAfterAccept => new(FaultKind.TimeoutAfterAccept);
    public static Fault DropAfterAccept => new(FaultKind.DropAfterAccept);
    public static Fault DropBeforeAccept => new(FaultKind.DropBeforeAccept);
    public static Fault Latency(TimeSpan delay) => new(FaultKind.Latency) { Delay = delay };

    /// <summary>500 "Request occur unknown error." after the order executed (status unknown to the client).</summary>
    public static Fault Http500 => Error(500, -1000, "Request occur unknown error.", execute: true);
    /// <summary>A gateway 502 with an HTML body, after execution.</summary>
    public static Fault Http502 => new(FaultKind.ErrorResponse) { Status = 502, Code = null, Message = "<html><body><h1>502 Bad Gateway</h1></body></html>", Execute = true };
    /// <summary>503 "Unknown error…": sent, no answer in time; executed.</summary>
    public static Fault Http503Unknown => Error(503, -1000, "Unknown error, please check your request or try again later.", execute: true);
    /// <summary>503 "Service Unavailable.": a definite failure, nothing executed.</summary>
    public static Fault Http503ServiceUnavailable => Error(503, -1001, "Service Unavailable.", execute: false);
    /// <summary>503 "Internal error; unable to process your request. Please try again.": failure, nothing executed.</summary>
    public static Fault Http503InternalError => Error(503, -1001, "Internal error; unable to process your request. Please try again.", execute: false);
    /// <summary>503 -1008 (system throttle): failure, nothing executed.</summary>
    public static Fault Throttled1008 => Error(503, -1008, "Request throttled by system-level protection. Reduce-only/close-position orders are exempted. Please try again.", execute: false);
    /// <summary>-1007 backend timeout after the order executed (use <c>with { Execute = false }</c> for the other case).</summary>
    public static Fault Timeout1007 => Error(400, -1007, "Timeout waiting for response from backend server. Send status unknown; execution status unknown.", execute: true);
    /// <summary>-1021 once, whatever the timestamp.</summary>
    public static Fault Reject1021 => Error(400, -1021, "Timestamp for this request is outside of the recvWindow.", execute: false);
    public static Fault RateLimited => new(FaultKind.RateLimited) { Status = 429 };
    public static Fault TransientNotFound => new(FaultKind.TransientNotFound);
    public static Fault PartialFill => new(FaultKind.PartialFill);
    /// <summary>A MARKET order that expires with nothing filled.</summary>
    public static Fault ExpireUnfilled => new(FaultKind.PartialFill) { FillRatio = 0m };
    public static Fault StreamDropMidCandle => new(FaultKind.StreamDropMidCandle);
    public static Fault StreamLateFinal(TimeSpan delay) => new(FaultKind.StreamLateFinal) { Delay = delay };
    public static Fault StreamDuplicate => new(FaultKind.StreamDuplicate);
    public static Fault StreamOutOfOrder => new(FaultKind.StreamOutOfOrder);
    /// <summary>Mark-price stream: swallow the next update(s) (use times: N on the script).</summary>
    public static Fault StreamSilent => new(FaultKind.StreamSilent);
    /// <summary>Mark-price stream: drop the connections carrying it at the next update.</summary>
    public static Fault StreamDrop => new(FaultKind.StreamDrop);

    /// <summary>An IP ban of <paramref name="duration"/> (server clock) announced by the 418 body only
    /// ("banned until &lt;ms&gt;"), or with Retry-After too when <paramref name="retryAfterHeader"/>.</summary>
    public static Fault Banned(TimeSpan duration, bool retryAfterHeader = false) =>
        new(FaultKind.Banned) { Status = 418, Delay = duration, Execute = retryAfterHeader };

    public static Fault Error(int status, int? code, string message, bool execute) =>
        new(FaultKind.ErrorResponse) { Status = status, Code = code, Message = message, Execute = execute };
}
