using Afml.Core.MarketData;

namespace Afml.FakeBinance.Market;

/// <summary>The scripted price path and how far it has been published: candles up to <see cref="LastClosedIndex"/>
/// are closed; the next one may be in progress (partial snapshot). The current price is the newest close seen.</summary>
internal sealed class FakeMarket
{
    private readonly object _gate = new();
    private readonly Candle[] _candles;
    private int _lastClosed;
    private Candle? _inProgress;

    public FakeMarket(IReadOnlyList<Candle> candles, int closedAtStart, int pricePrecision)
    {
        if (candles.Count == 0) throw new ArgumentException("The fake market needs at least one candle.", nameof(candles));
        _candles = candles.ToArray(); // own copy: Bend reshapes the path ahead
        PricePrecision = pricePrecision;
        _lastClosed = Math.Clamp(closedAtStart, 1, candles.Count) - 1;
    }

    public int PricePrecision { get; }
    public int Count => _candles.Length;

    public int LastClosedIndex { get { lock (_gate) return _lastClosed; } }

    public Candle LastClosed { get { lock (_gate) return _candles[_lastClosed]; } }

    public Candle? InProgress { get { lock (_gate) return _inProgress; } }

    public bool HasNext { get { lock (_gate) return _lastClosed + 1 < _candles.Length; } }

    /// <summary>Fill and mark price: the newest close published (an in-progress close counts).</summary>
    public decimal CurrentPrice
    {
        get { lock (_gate) return Price((_inProgress ?? _candles[_lastClosed]).Close); }
    }

    public decimal Price(double value) => Math.Round((decimal)value, PricePrecision, MidpointRounding.AwayFromZero);

    public Candle? PeekNext()
    {
        lock (_gate) return _lastClosed + 1 < _candles.Length ? _candles[_lastClosed + 1] : null;
    }

    /// <summary>Raised (outside the lock) with <see cref="CurrentPrice"/> each time it may have moved: an in-progress update or a
    /// close. The fake's mark price is this price, so conditional (algo) orders trigger on it.</summary>
    public event Action<decimal>? PriceChanged;

    public void SetInProgress(Candle partial)
    {
        lock (_gate) _inProgress = partial;
        PriceChanged?.Invoke(CurrentPrice);
    }

    /// <summary>Closes the next candle; false when the path is exhausted.</summary>
    public bool CloseNext()
    {
        lock (_gate)
        {
            if (_lastClosed + 1 >= _candles.Length) return false;
            _lastClosed++;
            _inProgress = null;
        }
        PriceChanged?.Invoke(CurrentPrice);
        return true;
    }

    /// <summary>Reshapes the path not yet published (from the candle after the next one, so a candle being streamed and
    /// the one about to be keep theirs): prices scaled by a factor going linearly from 1 to 1 + <paramref name="change"/>
    /// over <paramref name="candles"/> candles, then held. A crash (change &lt; 0) or a rally, smooth within each candle.</summary>
    public void Bend(double change, int candles)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(candles, 1);
        lock (_gate)
        {
            var start = _lastClosed + 2;
            for (var k = 0; start + k < _candles.Length; k++)
            {
                var s0 = 1 + change * Math.Min(k, candles) / candles;
                var s1 = 1 + change * Math.Min(k + 1, candles) / candles;
                var c = _candles[start + k];
                var open = c.Open * s0;
                var close = c.Close * s1;
                _candles[start + k] = new Candle(c.OpenTime, open, Math.Max(c.High * s0, Math.Max(open, close)), Math.Min(c.Low * s1, Math.Min(open, close)), close, c.Volume);
            }
        }
    }

    /// <summary>REST klines: bars with startTime ≤ openTime ≤ endTime; only start → the first <paramref name="limit"/>
    /// from there; otherwise the last <paramref name="limit"/> (ending at endTime when given).</summary>
    public IReadOnlyList<(Candle Candle, bool Closed)> Klines(long? startTime, long? endTime, int limit, bool includeOpen)
    {
        lock (_gate)
        {
            var visible = new List<(Candle, bool)>(_lastClosed + 2);
            for (var i = 0; i <= _lastClosed; i++) visible.Add((_candles[i], true));
            if (includeOpen && _inProgress is { } open) visible.Add((open, false));
            IEnumerable<(Candle Candle, bool Closed)> range = visible;
            if (startTime is { } s) range = range.Where(k => k.Candle.OpenTime >= s);
            if (endTime is { } e) range = range.Where(k => k.Candle.OpenTime <= e);
            var list = range.ToList();
            if (startTime is not null) return list.Take(limit).ToArray();
            return list.Skip(Math.Max(0, list.Count - limit)).ToArray();
        }
    }
}
