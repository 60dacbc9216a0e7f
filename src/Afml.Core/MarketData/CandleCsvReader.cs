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
        var candles = new List<Candle>(capacity: 4096);
        using var reader = Open(path);
        try
        {
            while (reader.Next(out var candle)) candles.Add(candle);
        }
        catch (Exception ex) when (ex is OverflowException or OutOfMemoryException)
        {
            throw TooLarge(path, $"could not be held in memory ({ex.GetType().Name})");
        }
        return candles;
    }

    /// <summary>The same file and checks as <see cref="Read"/>, one candle at a time: nothing is kept but the
    /// previous candle, so a replay's memory does not grow with its file.</summary>
    public static CandleFileReader Open(string path)
    {
        if (Directory.Exists(path))
            throw new AfmlException("CandleFileIsDirectory", AfmlErrorCategory.InvalidArgument,
                $"'{path}' is a directory; give the candle CSV file itself (open_time,open,high,low,close,volume).", path);
        if (!File.Exists(path))
            throw new AfmlException("CandleFileNotFound", AfmlErrorCategory.ObjectNotFound, $"Candle file '{path}' does not exist.", path);
        var size = new FileInfo(path).Length;
        if (size > MaxBytes)
            throw TooLarge(path, $"is {size.ToString(CultureInfo.InvariantCulture)} bytes");
        return Guard(path, () => new CandleFileReader(path));
    }

    /// <summary>IO failures as <c>CandleFileUnreadable</c>, CsvHelper's own complaints as <c>CandleFileInvalid</c> with the line.</summary>
    internal static T Guard<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AfmlException("CandleFileUnreadable", AfmlErrorCategory.InvalidData, $"Candle file '{path}' cannot be read: {ex.Message}", path, ex);
        }
        catch (CsvHelperException ex)
        {
            throw Bad(path, ex.Context?.Parser?.RawRow ?? 0, ex.Message.Split('\n')[0]);
        }
    }

    private static AfmlException TooLarge(string path, string what) =>
        new("CandleFileTooLarge", AfmlErrorCategory.InvalidData,
            $"Candle file '{path}' {what}; at most {MaxBytes.ToString(CultureInfo.InvariantCulture)} bytes are read. Replay a shorter range.", path);

    /// <summary>A candle file read forward, one checked candle at a time (see <see cref="CandleCsvReader"/>).</summary>
    public sealed class CandleFileReader : IDisposable
    {
        private readonly string _path;
        private readonly StreamReader _reader;
        private readonly CsvReader _csv;
        private readonly int _timeColumn;
        private readonly bool _isoTime;
        private readonly int[] _columns = new int[Required.Length];
        private readonly double[] _values = new double[Required.Length];
        private long _previous = long.MinValue;

        internal CandleFileReader(string path)
        {
            _path = path;
            _reader = new StreamReader(path, new FileStreamOptions { Access = FileAccess.Read, Share = FileShare.Read, BufferSize = 1 << 16 });
            var config = new CsvConfiguration(CultureInfo.InvariantCulture)
            {
                PrepareHeaderForMatch = a => a.Header.Trim().ToLowerInvariant(),
                DetectColumnCountChanges = true,
            };
            _csv = new CsvReader(_reader, config);
            try
            {
                if (!_csv.Read() || !_csv.ReadHeader())
                    throw Bad(path, 1, "the file is empty; expected a header open_time,open,high,low,close,volume");
                var header = _csv.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToArray();
                _timeColumn = Array.IndexOf(header, "open_time");
                if (_timeColumn < 0)
                {
                    _timeColumn = Array.IndexOf(header, "timestamp");
                    _isoTime = _timeColumn >= 0;
                }
                if (_timeColumn < 0)
                    throw Bad(path, 1, $"no 'open_time' (epoch ms) or 'timestamp' column; header is '{string.Join(",", _csv.HeaderRecord!)}'");
                for (var i = 0; i < Required.Length; i++)
                {
                    _columns[i] = Array.IndexOf(header, Required[i]);
                    if (_columns[i] < 0) throw Bad(path, 1, $"column '{Required[i]}' is missing; header is '{string.Join(",", _csv.HeaderRecord!)}'");
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>Candles read so far.</summary>
        public long Count { get; private set; }

        /// <summary>The next candle, checked; false at the end of the file (an error if it held no candle at all).</summary>
        public bool Next(out Candle candle)
        {
            var (more, c) = Guard(_path, ReadOne);
            candle = c;
            return more;
        }

        private (bool, Candle) ReadOne()
        {
            if (!_csv.Read())
            {
                if (Count == 0) throw Bad(_path, 2, "the file has a header but no candles");
                return (false, default);
            }
            var line = _csv.Parser.RawRow;
            var timeText = _csv.GetField(_timeColumn) ?? "";
            var openTime = _isoTime ? ParseIso(_path, line, timeText) : ParseMillis(_path, line, timeText);
            for (var i = 0; i < Required.Length; i++)
            {
                var text = _csv.GetField(_columns[i]) ?? "";
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _values[i]) || !double.IsFinite(_values[i]))
                    throw Bad(_path, line, $"column '{Required[i]}' has '{text}', not a finite number");
            }
            if (Count > 0 && openTime <= _previous)
                throw Bad(_path, line, $"open time {Iso(openTime)} is not after the previous row's {Iso(_previous)}; the file must be sorted with no duplicates");
            var candle = new Candle(openTime, _values[0], _values[1], _values[2], _values[3], _values[4]);
            if (CandleSanity.Problem(candle) is { } problem)
                throw new AfmlException("CandleInvalid", AfmlErrorCategory.InvalidData, $"{_path}, line {line}: the candle of {Iso(openTime)} is impossible: {problem}.", _path);
            _previous = openTime;
            Count++;
            return (true, candle);
        }

        public void Dispose()
        {
            _csv.Dispose();
            _reader.Dispose();
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
