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

    /// <summary>The interval and grid checks on candles already read (sorted, distinct open times).</summary>
    public static void Check(IReadOnlyList<Candle> candles, string path, CandleInterval interval)
    {
        if (candles.Count < 2 || interval.Text == "1M") return; // calendar months have no fixed grid
        var step = interval.Milliseconds;
        var inferred = InferIntervalMs(candles, out var votes);
        if (inferred != step)
            throw new AfmlException("CandleIntervalMismatch", AfmlErrorCategory.InvalidData,
                $"'{path}' holds {CandleInterval.Describe(inferred)} candles ({votes} of {candles.Count - 1} steps between rows are {CandleInterval.Describe(inferred)}); " +
                $"the training uses {interval.Text} (data_downloader.interval). Replay a {interval.Text} file.", path);
        for (var i = 1; i < candles.Count; i++)
        {
            var delta = candles[i].OpenTime - candles[i - 1].OpenTime;
            if (delta == step) continue;
            if (delta % step != 0)
                throw new AfmlException("CandleOffGrid", AfmlErrorCategory.InvalidData,
                    $"'{path}', data row {i + 1}: the candle of {Iso(candles[i].OpenTime)} is {CandleInterval.Describe(delta)} after the previous one ({Iso(candles[i - 1].OpenTime)}), not a multiple of {interval.Text}.", path);
            var missing = delta / step - 1;
            if (missing > MaxFilledCandles)
                throw new AfmlException("CandleGapTooLong", AfmlErrorCategory.InvalidData,
                    $"'{path}', data row {i + 1}: {missing.ToString(CultureInfo.InvariantCulture)} {interval.Text} candles are missing from {Iso(candles[i - 1].OpenTime + step)} to {Iso(candles[i].OpenTime - step)} " +
                    $"({Span(delta - step)}); at most {MaxFilledCandles} in a row are interpolated. Fill the file from Binance or replay the part before or after the gap.", path);
        }
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
