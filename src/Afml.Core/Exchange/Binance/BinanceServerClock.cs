namespace Afml.Core.Exchange.Binance;

/// <summary>
/// The server-time offset: <c>offset = serverTime − local midpoint</c> of the GET /fapi/v1/time round trip, so
/// that <c>local now + offset</c> is the server's clock. Not thread-safe by itself; the REST client serialises use.
/// </summary>
public sealed class BinanceServerClock(TimeProvider time)
{
    private readonly object _gate = new();
    private long _offsetMs;
    private DateTimeOffset? _syncedAt;

    public long OffsetMs { get { lock (_gate) return _offsetMs; } }

    /// <summary>Local time of the last sync; null before the first.</summary>
    public DateTimeOffset? SyncedAt { get { lock (_gate) return _syncedAt; } }

    public long LocalNowMs => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The server's clock as far as we know it (local clock before the first sync).</summary>
    public long NowMs => LocalNowMs + OffsetMs;

    public bool NeedsSync(TimeSpan maxAge)
    {
        lock (_gate) return _syncedAt is not { } at || time.GetUtcNow() - at >= maxAge;
    }

    /// <param name="localBeforeMs">Local ms just before the request was sent.</param>
    /// <param name="localAfterMs">Local ms just after the answer arrived.</param>
    public void Apply(long serverTimeMs, long localBeforeMs, long localAfterMs)
    {
        var midpoint = localBeforeMs + (localAfterMs - localBeforeMs) / 2;
        lock (_gate)
        {
            _offsetMs = serverTimeMs - midpoint;
            _syncedAt = time.GetUtcNow();
        }
    }
}
