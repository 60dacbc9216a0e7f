using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Afml.Core.MarketData;

/// <summary>
/// Reads <c>open_time,open,high,low,close,volume</c> candle files (open time in epoch milliseconds UTC, or an
/// ISO-8601 <c>timestamp</c> column as pandas writes it). Extra columns are ignored. Every defect — a missing
/// column, a non-numeric or non-finite value, a time going backwards — is an error naming the file, line and
/// column, never a silently skipped row. Open times must be epoch milliseconds (seconds or microseconds are named
/// as such), and every candle must pass <see cref="CandleSanity"/>. Files over <see cref="MaxBytes"/> are refused
/// before reading.
/// </summary>
public static class CandleCsvReader
{
    private static readonly string[] Required = ["open", "high", "low", "close", "volume"];

    /// <summary>Largest candle file read: 1 GiB, about 13 million rows (25 years of 1m candles).</summary>
    public const long MaxBytes = 1L << 30;

    // Epoch milliseconds between 1973-03-03 and 2286-11-20: below is seconds, above is micro- or nanoseconds.
    private const long MinMillis = 100_000_000_000;
    private const long MaxMillis = 10_000_000_000_000;

    public static IReadOnlyList<Candle> Read(string path)
    {
        if (Directory.Exists(path))
            throw new AfmlException("CandleFileIsDirectory", AfmlErrorCategory.InvalidArgument,
                $"'{path}' is a directory; give the candle CSV file itself (open_time,open,high,low,close,volume).", path);
        if (!File.Exists(path))
            throw new AfmlException("CandleFileNotFound", AfmlErrorCategory.ObjectNotFound, $"Candle file '{path}' does not exist.", path);
        var size = new FileInfo(path).Length;
        if (size > MaxBytes)
            throw TooLarge(path, $"is {size.ToString(CultureInfo.InvariantCulture)} bytes");
        try
        {
            return ReadFile(path);
        }
        catch (Exception ex) when (ex is OverflowException or OutOfMemoryException)
        {
            throw TooLarge(path, $"could not be held in memory ({ex.GetType().Name})");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AfmlException("CandleFileUnreadable", AfmlErrorCategory.InvalidData, $"Candle file '{path}' cannot be read: {ex.Message}", path, ex);
        }
    }

    private static AfmlException TooLarge(string path, string what) =>
        new("CandleFileTooLarge", AfmlErrorCategory.InvalidData,
            $"Candle file '{path}' {what}; at most {MaxBytes.ToString(CultureInfo.InvariantCulture)} bytes are read. Replay a shorter range.", path);

    private static IReadOnlyList<Candle> ReadFile(string path)
    {
        using var reader = new StreamReader(path);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            PrepareHeaderForMatch = a => a.Header.Trim().ToLowerInvariant(),
            DetectColumnCountChanges = true,
        };
        using var csv = new CsvReader(reader, config);
        try
        {
            if (!csv.Read() || !csv.ReadHeader())
                throw Bad(path, 1, "the file is empty; expected a header open_time,open,high,low,close,volume");
            var header = csv.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToArray();
            var timeColumn = Array.IndexOf(header, "open_time");
            var isoTime = false;
            if (timeColumn < 0)
            {
                timeColumn = Array.IndexOf(header, "timestamp");
                isoTime = timeColumn >= 0;
            }
            if (timeColumn < 0)
                throw Bad(path, 1, $"no 'open_time' (epoch ms) or 'timestamp' column; header is '{string.Join(",", csv.HeaderRecord!)}'");
            var columns = new int[Required.Length];
            for (var i = 0; i < Required.Length; i++)
            {
                columns[i] = Array.IndexOf(header, Required[i]);
                if (columns[i] < 0) throw Bad(path, 1, $"column '{Required[i]}' is missing; header is '{string.Join(",", csv.HeaderRecord!)}'");
            }

            var candles = new List<Candle>(capacity: 4096);
            var values = new double[Required.Length];
            while (csv.Read())
            {
                var line = csv.Parser.RawRow;
                var timeText = csv.GetField(timeColumn) ?? "";
                var openTime = isoTime ? ParseIso(path, line, timeText) : ParseMillis(path, line, timeText);
                for (var i = 0; i < Required.Length; i++)
                {
                    var text = csv.GetField(columns[i]) ?? "";
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
                        throw Bad(path, line, $"column '{Required[i]}' has '{text}', not a finite number");
                }
                if (candles.Count > 0 && openTime <= candles[^1].OpenTime)
                    throw Bad(path, line, $"open time {Iso(openTime)} is not after the previous row's {Iso(candles[^1].OpenTime)}; the file must be sorted with no duplicates");
                var candle = new Candle(openTime, values[0], values[1], values[2], values[3], values[4]);
                if (CandleSanity.Problem(candle) is { } problem)
                    throw new AfmlException("CandleInvalid", AfmlErrorCategory.InvalidData, $"{path}, line {line}: the candle of {Iso(openTime)} is impossible: {problem}.", path);
                candles.Add(candle);
            }
            if (candles.Count == 0) throw Bad(path, 2, "the file has a header but no candles");
            return candles;
        }
        catch (CsvHelperException ex)
        {
            throw Bad(path, ex.Context?.Parser?.RawRow ?? 0, ex.Message.Split('\n')[0]);
        }
    }

    private static long ParseMillis(string path, long line, string text)
    {
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) || ms < 0)
            throw Bad(path, line, $"column 'open_time' has '{text}', not epoch milliseconds");
        if (ms < MinMillis)
            throw Bad(path, line, $"column 'open_time' has '{text}', which reads as {Iso(ms)} in epoch milliseconds: it looks like epoch seconds; multiply by 1000");
        if (ms > MaxMillis)
            throw Bad(path, line, $"column 'open_time' has '{text}', beyond the year 2286 in epoch milliseconds: it looks like epoch microseconds (Binance's newer spot files); divide by 1000");
        return ms;
    }

    private static long ParseIso(string path, long line, string text)
    {
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            throw Bad(path, line, $"column 'timestamp' has '{text}', not a date");
        var ms = t.ToUnixTimeMilliseconds();
        return ms is >= 0 and <= MaxMillis ? ms : throw Bad(path, line, $"column 'timestamp' has '{text}', before 1970 or after 2286");
    }

    private static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static AfmlException Bad(string path, long line, string what) =>
        new("CandleFileInvalid", AfmlErrorCategory.InvalidData, $"{path}, line {line}: {what}.", path);
}
