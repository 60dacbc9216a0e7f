namespace Afml.Core.MarketData;

/// <summary>
/// The trainer's gap handling as a streaming stage: the series is put on the full interval grid and every
/// missing candle is filled by linear interpolation of every column (volume included) between its two
/// neighbours, with numpy's <c>interp</c> arithmetic (<c>slope·(x − x0) + y0</c>, positions as x), which is what
/// <c>DataFrame.interpolate(method='linear')</c> does on the reindexed frame.
/// </summary>
public sealed class ContinuityFiller
{
    private readonly long _intervalMs;
    private Candle? _last;

    public ContinuityFiller(CandleInterval interval) => _intervalMs = interval.Milliseconds;

    /// <summary>How many candles this filler has inserted so far.</summary>
    public int FilledCount { get; private set; }

    /// <summary>Feeds the next real candle; returns the interpolated candles that go before it, then itself.</summary>
    public IEnumerable<Candle> Push(Candle candle)
    {
        var into = new List<Candle>(1);
        Push(candle, into);
        return into;
    }

    /// <summary>Feeds the next real candle; appends the interpolated candles that go before it, then itself, to
    /// <paramref name="into"/> (a list the caller reuses: nothing is allocated per candle).</summary>
    public void Push(in Candle candle, List<Candle> into)
    {
        if (_last is not { } last)
        {
            _last = candle;
            into.Add(candle);
            return;
        }
        var delta = candle.OpenTime - last.OpenTime;
        if (delta <= 0)
            throw new AfmlException("CandleOutOfOrder", AfmlErrorCategory.InvalidData,
                $"Candle {candle.OpenTimeUtc:O} does not come after {last.OpenTimeUtc:O}.", candle.OpenTimeUtc.ToString("O"));
        if (delta % _intervalMs != 0)
            throw new AfmlException("CandleOffGrid", AfmlErrorCategory.InvalidData,
                $"Candle {candle.OpenTimeUtc:O} is not on the {TimeSpan.FromMilliseconds(_intervalMs)} grid that starts at the first candle.", candle.OpenTimeUtc.ToString("O"));
        _last = candle;
        var steps = delta / _intervalMs;
        for (var i = 1; i < steps; i++)
        {
            into.Add(new Candle(
                last.OpenTime + i * _intervalMs,
                Interp(last.Open, candle.Open, i, steps),
                Interp(last.High, candle.High, i, steps),
                Interp(last.Low, candle.Low, i, steps),
                Interp(last.Close, candle.Close, i, steps),
                Interp(last.Volume, candle.Volume, i, steps)));
        }
        into.Add(candle);
        FilledCount += (int)(steps - 1);
    }

    /// <summary>numpy.interp between positions 0 and <paramref name="span"/>.</summary>
    private static double Interp(double y0, double y1, long x, long span)
    {
        var slope = (y1 - y0) / span;
        return slope * x + y0;
    }

    /// <summary>Fills a whole series; <paramref name="filled"/> is how many candles were inserted.</summary>
    public static IReadOnlyList<Candle> Fill(IReadOnlyList<Candle> candles, CandleInterval interval, out int filled)
    {
        var filler = new ContinuityFiller(interval);
        var result = new List<Candle>(candles.Count + 16);
        foreach (var c in candles) filler.Push(c, result);
        filled = filler.FilledCount;
        return result;
    }
}
