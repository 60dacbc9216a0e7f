using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Afml.Core.MarketData;

/// <summary>
/// Reads <c>open_time,open,high,low,close,volume</c> candle files (open time in epoch milliseconds UTC, or an
/// ISO-8601 <c>timestamp</c> column as pandas writes it). Extra columns are ignored. Every defect — a missing
/// column, a non-numeric or non-finite value, a time going backwards — is an error naming the file, line and
/// column, never a silently skipped row.
/// </summary>
public static class CandleCsvReader
{
    private static readonly string[] Required = ["open", "high", "low", "close", "volume"];

    public static IReadOnlyList<Candle> Read(string path)
    {
        if (!File.Exists(path))
            throw new AfmlException("CandleFileNotFound", AfmlErrorCategory.ObjectNotFound, $"Candle file '{path}' does not exist.", path);
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
                candles.Add(new Candle(openTime, values[0], values[1], values[2], values[3], values[4]));
            }
            if (candles.Count == 0) throw Bad(path, 2, "the file has a header but no candles");
            return candles;
        }
        catch (CsvHelperException ex)
        {
            throw Bad(path, ex.Context?.Parser?.RawRow ?? 0, ex.Message.Split('\n')[0]);
        }
    }

    private static long ParseMillis(string path, long line, string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms >= 0
            ? ms
            : throw Bad(path, line, $"column 'open_time' has '{text}', not epoch milliseconds");

    private static long ParseIso(string path, long line, string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t.ToUnixTimeMilliseconds()
            : throw Bad(path, line, $"column 'timestamp' has '{text}', not a date");

    private static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static AfmlException Bad(string path, long line, string what) =>
        new("CandleFileInvalid", AfmlErrorCategory.InvalidData, $"{path}, line {line}: {what}.", path);
}
