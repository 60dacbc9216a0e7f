using System.Globalization;

namespace Afml.Core.MarketData;

/// <summary>
/// A replay's candles, checked before anything trades on them: read by <see cref="CandleCsvReader"/> (columns,
/// numbers, order, epoch milliseconds, <see cref="CandleSanity"/>), the file's own interval inferred from the most
/// common spacing of its open times and checked against the training's, every row on that grid, and gaps filled
/// as the trainer did (linear interpolation, <see cref="ContinuityFiller"/>) only up to
/// <see cref="MaxFilledCandles"/> missing candles in a row; a longer gap is refused with its span.
/// </summary>
public static class ReplayCandleLoader
{
    /// <summary>Most consecutive missing candles filled by interpolation (a short venue outage). The trainer
    /// interpolated any gap; a longer one here would make the model decide on candles that never existed.</summary>
    public const int MaxFilledCandles = 5;

    /// <param name="warnings">Receives one line when candles were filled.</param>
    public static IReadOnlyList<Candle> Load(string path, CandleInterval interval, ICollection<string> warnings)
    {
        var raw = CandleCsvReader.Read(path);
        Check(raw, path, interval);
        var candles = ContinuityFiller.Fill(raw, interval, out var filled);
        if (filled > 0)
            warnings.Add($"{filled} vela(s) faltante(s) en '{path}' rellenada(s) por interpolación lineal, como en el entrenamiento.");
        return candles;
    }

    /// <summary>
    /// Reads the file once, forward, with every check of <see cref="Load"/> and the same errors in the same order
    /// (a bad row first, then the interval, then the grid and gaps), keeping nothing but counts: what a replay will
    /// play (the warm-up history and the decisions between <paramref name="from"/> and <paramref name="to"/>), for a
    /// <see cref="StreamingReplayFeed"/> that reads it again as it plays.
    /// </summary>
    /// <param name="warmup">Candles the features and the observation window need before the first decision.</param>
    /// <param name="window">The observation window (named when the file is too short).</param>
    public static ReplayPlan Plan(string path, CandleInterval interval, int warmup, int window, DateTimeOffset? from, DateTimeOffset? to, ICollection<string> warnings)
    {
        var step = interval.Milliseconds;
        var checkGrid = interval.Text != "1M"; // calendar months have no fixed grid
        var deltas = new Dictionary<long, int>();
        AfmlException? gridError = null, fillError = null;
        var filler = new ContinuityFiller(interval);
        var filled = new List<Candle>(8);
        long count = 0, raw = 0, beforeFrom = 0, beforeTo = 0;
        long fromMs = from?.ToUnixTimeMilliseconds() ?? long.MinValue, toMs = to is { } t ? t.ToUnixTimeMilliseconds() + 1 : long.MaxValue;
        Candle previous = default, last = default, atWarmup = default;
        using (var reader = CandleCsvReader.Open(path))
        {
            while (reader.Next(out var candle))
            {
                if (raw > 0)
                {
                    var delta = candle.OpenTime - previous.OpenTime;
                    deltas[delta] = deltas.GetValueOrDefault(delta) + 1;
                    if (checkGrid && gridError is null && delta != step) gridError = GridError(path, interval, raw, previous, candle);
                }
                previous = candle;
                raw++;
                if (fillError is not null) continue;
                filled.Clear();
                try
                {
                    filler.Push(candle, filled);
                }
                catch (AfmlException ex)
                {
                    fillError = ex;
                    continue;
                }
                foreach (var c in filled)
                {
                    if (count == warmup) atWarmup = c;
                    if (c.OpenTime < fromMs) beforeFrom++;
                    if (c.OpenTime < toMs) beforeTo++;
                    last = c;
                    count++;
                }
            }
        }
        if (checkGrid && raw >= 2)
        {
            var best = deltas.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).First();
            if (best.Key != step) throw IntervalMismatch(path, interval, best.Key, best.Value, raw - 1);
            if (gridError is not null) throw gridError;
        }
        if (fillError is not null) throw fillError;
        if (filler.FilledCount > 0)
            warnings.Add($"{filler.FilledCount} vela(s) faltante(s) en '{path}' rellenada(s) por interpolación lineal, como en el entrenamiento.");

        if (count <= warmup)
            throw new AfmlException("ReplayTooShort", AfmlErrorCategory.InvalidData,
                $"'{path}' has {count} candles; the indicators and the {window}-candle window need more than {warmup}.", path);
        var first = (long)warmup;
        if (from is { } f)
        {
            if (beforeFrom >= count)
                throw new AfmlException("ReplayFromOutOfRange", AfmlErrorCategory.InvalidArgument,
                    $"-From {f:O} is after the last candle ({last.OpenTimeUtc:O}) of '{path}'.", "From");
            if (beforeFrom < warmup)
                warnings.Add($"-From {f:O} is before the first candle with every feature defined ({atWarmup.OpenTimeUtc:O}); decisions start there.");
            first = Math.Max(beforeFrom, warmup);
        }
        var end = count;
        if (to is { } t2)
        {
            end = beforeTo;
            if (end <= first)
                throw new AfmlException("ReplayRangeEmpty", AfmlErrorCategory.InvalidArgument, $"-To {t2:O} leaves no candle to decide on.", "To");
        }
        return new ReplayPlan(path, interval, first, end);
    }

    private static AfmlException IntervalMismatch(string path, CandleInterval interval, long inferredMs, long votes, long steps) =>
        new("CandleIntervalMismatch", AfmlErrorCategory.InvalidData,
            $"'{path}' holds {CandleInterval.Describe(inferredMs)} candles ({votes} of {steps} steps between rows are {CandleInterval.Describe(inferredMs)}); " +
            $"the training uses {interval.Text} (data_downloader.interval). Replay a {interval.Text} file.", path);

    /// <summary>The error for a candle off the interval's grid or after a gap too long to fill; null when it is on
    /// the grid (<paramref name="row"/>: the candle's index among the file's data rows).</summary>
    private static AfmlException? GridError(string path, CandleInterval interval, long row, in Candle previous, in Candle candle)
    {
        var step = interval.Milliseconds;
        var delta = candle.OpenTime - previous.OpenTime;
        if (delta % step != 0)
            return new AfmlException("CandleOffGrid", AfmlErrorCategory.InvalidData,
                $"'{path}', data row {row + 1}: the candle of {Iso(candle.OpenTime)} is {CandleInterval.Describe(delta)} after the previous one ({Iso(previous.OpenTime)}), not a multiple of {interval.Text}.", path);
        var missing = delta / step - 1;
        if (missing > MaxFilledCandles)
            return new AfmlException("CandleGapTooLong", AfmlErrorCategory.InvalidData,
                $"'{path}', data row {row + 1}: {missing.ToString(CultureInfo.InvariantCulture)} {interval.Text} candles are missing from {Iso(previous.OpenTime + step)} to {Iso(candle.OpenTime - step)} " +
                $"({Span(delta - step)}); at most {MaxFilledCandles} in a row are interpolated. Fill the file from Binance or replay the part before or after the gap.", path);
        return null;
    }

    /// <summary>The interval and grid checks on candles already read (sorted, distinct open times).</summary>
    public static void Check(IReadOnlyList<Candle> candles, string path, CandleInterval interval)
    {
        if (candles.Count < 2 || interval.Text == "1M") return; // calendar months have no fixed grid
        var step = interval.Milliseconds;
        var inferred = InferIntervalMs(candles, out var votes);
        if (inferred != step) throw IntervalMismatch(path, interval, inferred, votes, candles.Count - 1);
        for (var i = 1; i < candles.Count; i++)
            if (candles[i].OpenTime - candles[i - 1].OpenTime != step && GridError(path, interval, i, candles[i - 1], candles[i]) is { } error)
                throw error;
    }

    /// <summary>The most common spacing between consecutive open times (the smallest on a tie).</summary>
    public static long InferIntervalMs(IReadOnlyList<Candle> candles, out int votes)
    {
        var counts = new Dictionary<long, int>();
        for (var i = 1; i < candles.Count; i++)
        {
            var d = candles[i].OpenTime - candles[i - 1].OpenTime;
            counts[d] = counts.GetValueOrDefault(d) + 1;
        }
        var best = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).First();
        votes = best.Value;
        return best.Key;
    }

    private static string Span(long ms) =>
        ms >= 86_400_000 ? $"{(ms / 86_400_000.0).ToString("0.#", CultureInfo.InvariantCulture)} days" : $"{(ms / 3_600_000.0).ToString("0.##", CultureInfo.InvariantCulture)} h";

    private static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
