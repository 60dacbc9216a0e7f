namespace Afml.Core.MarketData.Binance;

/// <summary>
/// The feed's bookkeeping, free of sockets and clocks: it remembers the open time of the last candle yielded and
/// releases candles only in strictly increasing, contiguous open-time order. Stream candles that arrive ahead of
/// a gap wait (<see cref="HasGap"/> tells the feed to backfill from <see cref="NextOpenTime"/> over REST);
/// duplicates and late repeats are dropped. REST candles are authoritative: when REST itself skips a bar, that bar
/// does not exist and the sequence moves on.
/// </summary>
public sealed class CandleSequencer
{
    private readonly long _intervalMs;
    private readonly SortedDictionary<long, Candle> _pending = [];

    /// <param name="lastOpenTime">Open time of the last candle already delivered (the history's last), if any.</param>
    public CandleSequencer(CandleInterval interval, long? lastOpenTime = null)
    {
        _intervalMs = interval.Milliseconds;
        if (_intervalMs <= 0) throw new ArgumentOutOfRangeException(nameof(interval));
        LastOpenTime = lastOpenTime;
    }

    public long IntervalMs => _intervalMs;

    /// <summary>Open time of the last candle released; null before the first.</summary>
    public long? LastOpenTime { get; private set; }

    /// <summary>Open time of the candle that must come next; null before the first.</summary>
    public long? NextOpenTime => LastOpenTime + _intervalMs;

    /// <summary>True when stream candles are waiting for an earlier one that has not arrived.</summary>
    public bool HasGap => _pending.Count > 0;

    /// <summary>Open time of the earliest waiting stream candle.</summary>
    public long? FirstPending => _pending.Count > 0 ? _pending.Keys.First() : null;

    /// <summary>Candles dropped as already delivered.</summary>
    public int Duplicates { get; private set; }

    /// <summary>Bars REST skipped, accepted as nonexistent.</summary>
    public int Skipped { get; private set; }

    /// <summary>Sets the starting point (only before anything was released).</summary>
    public void Start(long lastOpenTime)
    {
        if (LastOpenTime is not null) throw new InvalidOperationException("The sequencer has already started.");
        LastOpenTime = lastOpenTime;
    }

    /// <summary>A closed candle from the stream; returns what can be released now, in order.</summary>
    public IReadOnlyList<Candle> Offer(Candle candle)
    {
        if (LastOpenTime is null)
        {
            LastOpenTime = candle.OpenTime;
            return [candle];
        }
        if (candle.OpenTime <= LastOpenTime || (candle.OpenTime - LastOpenTime.Value) % _intervalMs != 0 || _pending.ContainsKey(candle.OpenTime))
        {
            Duplicates++;
            return [];
        }
        _pending[candle.OpenTime] = candle;
        return Drain();
    }

    /// <summary>Closed candles from REST (any order, may overlap); bars REST skips are accepted as nonexistent.</summary>
    public IReadOnlyList<Candle> OfferAuthoritative(IEnumerable<Candle> candles)
    {
        var released = new List<Candle>();
        foreach (var c in candles.OrderBy(c => c.OpenTime))
        {
            if (LastOpenTime is { } last && (c.OpenTime <= last || (c.OpenTime - last) % _intervalMs != 0))
            {
                Duplicates++;
                continue;
            }
            // Waiting stream candles older than this one are now either superseded (same bar) or behind it.
            foreach (var key in _pending.Keys.Where(k => k <= c.OpenTime).ToList())
            {
                if (key <= LastOpenTime) Duplicates++;
                else if (key < c.OpenTime) released.Add(Release(_pending[key]));
                _pending.Remove(key);
            }
            if (LastOpenTime is { } l && c.OpenTime > l + _intervalMs) Skipped += (int)((c.OpenTime - l) / _intervalMs - 1);
            released.Add(Release(c));
        }
        released.AddRange(Drain());
        return released;
    }

    private List<Candle> Drain()
    {
        var released = new List<Candle>();
        while (_pending.Count > 0)
        {
            var first = _pending.Keys.First();
            if (first <= LastOpenTime) { _pending.Remove(first); Duplicates++; continue; }
            if (first != NextOpenTime) break;
            released.Add(Release(_pending[first]));
            _pending.Remove(first);
        }
        return released;
    }

    private Candle Release(Candle c)
    {
        LastOpenTime = c.OpenTime;
        return c;
    }
}
