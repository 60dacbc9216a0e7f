namespace Afml.Core.Exchange.Binance;

/// <summary>What the client did for one logical call: the last signed timestamp sent (the order reconcile needs it
/// to know when the original request can no longer be accepted) and how many HTTP requests went out.</summary>
public sealed class BinanceCallTrace
{
    public long? LastTimestamp { get; internal set; }

    /// <summary>Local time at which the last HTTP request of the call was sent.</summary>
    public DateTimeOffset? LastSentAt { get; internal set; }
    public int Requests { get; internal set; }
}
