namespace Afml.Core.Exchange;

/// <summary>What kind of failure a venue reported; decides whether a retry is allowed.</summary>
public enum ExchangeErrorKind
{
    /// <summary>The request was definitely rejected (bad parameters, precision, reduce-only, min notional...).</summary>
    Rejected,
    /// <summary>Not enough margin or balance.</summary>
    InsufficientBalance,
    /// <summary>The outcome is unknown (timeout, connection reset, 5xx, -1006/-1007): query before any resend.</summary>
    Unknown,
    /// <summary>Rate limited (429): back off.</summary>
    RateLimited,
    /// <summary>IP banned (418): stop sending.</summary>
    Banned,
    /// <summary>Local clock outside the receive window (-1021).</summary>
    InvalidTimestamp,
    /// <summary>Bad API key, signature or permissions.</summary>
    Unauthorized,
    /// <summary>The order does not exist.</summary>
    UnknownOrder,
    /// <summary>Transport failure before the request was sent.</summary>
    Network,
}

public sealed record ExchangeError(ExchangeErrorKind Kind, int? Code, string Message)
{
    public override string ToString() => Code is { } c ? $"{Kind} ({c}): {Message}" : $"{Kind}: {Message}";
}

/// <summary>A venue call's outcome: data on success, an <see cref="ExchangeError"/> otherwise.</summary>
/// <remarks>A class, not a struct: every venue call is a <c>Task&lt;ExchangeResult&lt;T&gt;&gt;</c>, and over a reference
/// type the framework's task and awaiter code is its shared, precompiled code; over a struct of ours it was compiled
/// at run time and recompiled twice more while a replay ran (~60 fewer methods compiled in a replay of 100,000
/// steps, ~3% less CPU, for one small object per call).</remarks>
public sealed record ExchangeResult<T>
{
    private ExchangeResult(T? data, ExchangeError? error) { Data = data; Error = error; }

    public T? Data { get; }
    public ExchangeError? Error { get; }
    public bool Success => Error is null;

    public static ExchangeResult<T> Ok(T data) => new(data, null);
    public static ExchangeResult<T> Fail(ExchangeError error) => new(default, error);
    public static ExchangeResult<T> Fail(ExchangeErrorKind kind, string message, int? code = null) => new(default, new ExchangeError(kind, code, message));

    /// <summary>The data, or an <see cref="ExchangeException"/> carrying the error.</summary>
    public T Unwrap() => Success ? Data! : throw new ExchangeException(Error!);
}

public sealed class ExchangeException(ExchangeError error) : Exception(error.ToString())
{
    public ExchangeError Error { get; } = error;
}
