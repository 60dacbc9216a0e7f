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
    public static CandleFileReader Open(string path) => Open(path, plain: true);

    /// <param name="plain">False: every row through CsvHelper (the reference the plain reader is tested against).</param>
    internal static CandleFileReader Open(string path, bool plain)
    {
        if (Directory.Exists(path))
            throw new AfmlException("CandleFileIsDirectory", AfmlErrorCategory.InvalidArgument,
                $"'{path}' is a directory; give the candle CSV file itself (open_time,open,high,low,close,volume).", path);
        if (!File.Exists(path))
            throw new AfmlException("CandleFileNotFound", AfmlErrorCategory.ObjectNotFound, $"Candle file '{path}' does not exist.", path);
        var size = new FileInfo(path).Length;
        if (size > MaxBytes)
            throw TooLarge(path, $"is {size.ToString(CultureInfo.InvariantCulture)} bytes");
        return Guard(path, () => new CandleFileReader(path, plain));
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
            throw Unreadable(path, ex);
        }
        catch (CsvHelperException ex)
        {
            throw Bad(path, ex.Context?.Parser?.RawRow ?? 0, ex.Message.Split('\n')[0]);
        }
    }

    private static AfmlException TooLarge(string path, string what) =>
        new("CandleFileTooLarge", AfmlErrorCategory.InvalidData,
            $"Candle file '{path}' {what}; at most {MaxBytes.ToString(CultureInfo.InvariantCulture)} bytes are read. Replay a shorter range.", path);

    /// <summary>A candle file read forward, one checked candle at a time (see <see cref="CandleCsvReader"/>). Plain
    /// rows (ASCII, unquoted, as many fields as the header, every check passed) are parsed straight from the file's
    /// bytes with the same number parsers, nothing allocated per row; the first row that is not plain (a quote, a blank
    /// line, a bad value, anything to complain about) hands the file to CsvHelper at that row, so every error and
    /// every odd-but-valid row is read and worded exactly as CsvHelper reads it.</summary>
    public sealed class CandleFileReader : IDisposable
    {
        private readonly string _path;
        private CsvCandles? _csv;
        private PlainCandleLines? _plain;
        private long _previous = long.MinValue;
        private long _count;

        internal CandleFileReader(string path, bool plain = true)
        {
            _path = path;
            _csv = new CsvCandles(path);
            if (!plain || _csv.IsoTime) return;
            try
            {
                _plain = PlainCandleLines.TryOpen(path, _csv.Header, _csv.TimeColumn, _csv.Columns);
            }
            catch
            {
                _csv.Dispose();
                throw;
            }
            if (_plain is null) return;
            _csv.Dispose(); // the header is checked; the plain reader has its own handle
            _csv = null;
        }

        /// <summary>Candles read so far.</summary>
        public long Count => _csv?.Count ?? _count;

        /// <summary>The next candle, checked; false at the end of the file (an error if it held no candle at all).</summary>
        public bool Next(out Candle candle)
        {
            if (_plain is { } plain)
            {
                int read;
                try
                {
                    read = plain.Next(_count, _previous, out candle);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw Unreadable(_path, ex);
                }
                if (read > 0)
                {
                    _previous = candle.OpenTime;
                    _count++;
                    return true;
                }
                if (read == 0 && _count > 0) return false;
                ToCsvHelper(); // not a plain row (or no row at all): CsvHelper reads it and says what is wrong
            }
            return Guard(_path, _csv!, static (csv, path) => csv.ReadOne(path), out candle);
        }

        /// <summary>CsvHelper from the row the plain reader stopped at: the file read again through it up to there.</summary>
        private void ToCsvHelper()
        {
            _plain!.Dispose();
            _plain = null;
            try
            {
                _csv = new CsvCandles(_path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw Unreadable(_path, ex);
            }
            while (_csv.Count < _count && Guard(_path, _csv, static (csv, path) => csv.ReadOne(path), out _)) { }
        }

        private static bool Guard(string path, CsvCandles csv, Func<CsvCandles, string, (bool, Candle)> read, out Candle candle)
        {
            try
            {
                (var more, candle) = read(csv, path);
                return more;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw Unreadable(path, ex);
            }
            catch (CsvHelperException ex)
            {
                throw Bad(path, ex.Context?.Parser?.RawRow ?? 0, ex.Message.Split('\n')[0]);
            }
        }

        public void Dispose()
        {
            _plain?.Dispose();
            _csv?.Dispose();
        }
    }

    private static AfmlException Unreadable(string path, Exception ex) =>
        new("CandleFileUnreadable", AfmlErrorCategory.InvalidData, $"Candle file '{path}' cannot be read: {ex.Message}", path, ex);

    /// <summary>The file through CsvHelper: the header's checks and errors, and any row the plain reader did not take.</summary>
    private sealed class CsvCandles : IDisposable
    {
        private readonly StreamReader _reader;
        private readonly CsvReader _csv;
        private readonly double[] _values = new double[Required.Length];
        private long _previous = long.MinValue;

        public CsvCandles(string path)
        {
            _reader = new StreamReader(path, new FileStreamOptions { Access = FileAccess.Read, Share = FileShare.Read, BufferSize = 1 << 16 });
            var config = new CsvConfiguration(CultureInfo.InvariantCulture)
            {
                PrepareHeaderForMatch = a => a.Header.Trim().ToLowerInvariant(),
                DetectColumnCountChanges = true,
            };
            _csv = new CsvReader(_reader, config);
            try
            {
                Header = CandleCsvReader.Guard(path, () =>
                {
                    if (!_csv.Read() || !_csv.ReadHeader())
                        throw Bad(path, 1, "the file is empty; expected a header open_time,open,high,low,close,volume");
                    return _csv.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToArray();
                });
                TimeColumn = Array.IndexOf(Header, "open_time");
                if (TimeColumn < 0)
                {
                    TimeColumn = Array.IndexOf(Header, "timestamp");
                    IsoTime = TimeColumn >= 0;
                }
                if (TimeColumn < 0)
                    throw Bad(path, 1, $"no 'open_time' (epoch ms) or 'timestamp' column; header is '{string.Join(",", _csv.HeaderRecord!)}'");
                for (var i = 0; i < Required.Length; i++)
                {
                    Columns[i] = Array.IndexOf(Header, Required[i]);
                    if (Columns[i] < 0) throw Bad(path, 1, $"column '{Required[i]}' is missing; header is '{string.Join(",", _csv.HeaderRecord!)}'");
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>The header's names, trimmed and lower-case.</summary>
        public string[] Header { get; }
        public int TimeColumn { get; }
        public bool IsoTime { get; }
        public int[] Columns { get; } = new int[Required.Length];
        public long Count { get; private set; }

        public (bool, Candle) ReadOne(string path)
        {
            if (!_csv.Read())
            {
                if (Count == 0) throw Bad(path, 2, "the file has a header but no candles");
                return (false, default);
            }
            var line = _csv.Parser.RawRow;
            var timeText = _csv.GetField(TimeColumn) ?? "";
            var openTime = IsoTime ? ParseIso(path, line, timeText) : ParseMillis(path, line, timeText);
            for (var i = 0; i < Required.Length; i++)
            {
                var text = _csv.GetField(Columns[i]) ?? "";
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _values[i]) || !double.IsFinite(_values[i]))
                    throw Bad(path, line, $"column '{Required[i]}' has '{text}', not a finite number");
            }
            if (Count > 0 && openTime <= _previous)
                throw Bad(path, line, $"open time {Iso(openTime)} is not after the previous row's {Iso(_previous)}; the file must be sorted with no duplicates");
            var candle = new Candle(openTime, _values[0], _values[1], _values[2], _values[3], _values[4]);
            if (CandleSanity.Problem(candle) is { } problem)
                throw new AfmlException("CandleInvalid", AfmlErrorCategory.InvalidData, $"{path}, line {line}: the candle of {Iso(openTime)} is impossible: {problem}.", path);
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

    /// <summary>
    /// The plain rows of an epoch-ms candle file, parsed from its bytes: one line at a time from a 64 KiB buffer,
    /// fields split at commas, numbers parsed by <see cref="PlainNumber"/> with the result of <see cref="long"/>'s and
    /// <see cref="double"/>'s parsers with the styles and culture CsvHelper's strings are parsed with. A row is plain when it is ASCII, has no quote and no
    /// carriage return but its line end, has exactly the header's field count, and passes every check of
    /// <see cref="CsvCandles.ReadOne"/>; anything else is for CsvHelper (<see cref="Next"/> returns -1).
    /// </summary>
    private sealed class PlainCandleLines : IDisposable
    {
        private const int MaxFields = 64;
        private readonly FileStream _file;
        private readonly byte[] _buffer = new byte[1 << 16];
        private readonly int _fields;
        private readonly int _time;
        private readonly int[] _columns;
        private int _at, _end;
        private bool _eof;

        private PlainCandleLines(FileStream file, int fields, int time, int[] columns)
        {
            _file = file;
            _fields = fields;
            _time = time;
            _columns = columns;
        }

        /// <summary>Null when the header line itself is not plain (BOM aside): CsvHelper reads the whole file.</summary>
        public static PlainCandleLines? TryOpen(string path, string[] header, int time, int[] columns)
        {
            if (header.Length > MaxFields) return null;
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
            var lines = new PlainCandleLines(file, header.Length, time, columns);
            if (lines.HeaderMatches(header)) return lines;
            lines.Dispose();
            return null;
        }

        private bool HeaderMatches(string[] header)
        {
            if (NextLine(out var start, out var length) <= 0) return false;
            var line = _buffer.AsSpan(start, length);
            if (line.StartsWith("\uFEFF"u8)) line = line[3..];
            if (!System.Text.Ascii.IsValid(line) || line.IndexOfAny((byte)'"', (byte)'\r') >= 0) return false;
            var names = System.Text.Encoding.ASCII.GetString(line).Split(',');
            if (names.Length != header.Length) return false;
            for (var i = 0; i < names.Length; i++)
                if (names[i].Trim().ToLowerInvariant() != header[i]) return false;
            return true;
        }

        /// <summary>1 with the next candle, 0 at the end of the file, -1 when the next row is not plain.</summary>
        public int Next(long count, long previous, out Candle candle)
        {
            candle = default;
            var next = NextLine(out var start, out var length);
            if (next <= 0) return next;
            var line = new ReadOnlySpan<byte>(_buffer, start, length);
            if (length == 0 || line.IndexOfAny((byte)'"', (byte)'\r') >= 0 || !System.Text.Ascii.IsValid(line)) return -1;
            Span<Range> fields = stackalloc Range[MaxFields];
            var n = 0;
            for (var from = 0; ; n++)
            {
                if (n == _fields) return -1; // more fields than the header
                var comma = line[from..].IndexOf((byte)',');
                if (comma < 0)
                {
                    fields[n++] = from..line.Length;
                    break;
                }
                fields[n] = from..(from + comma);
                from += comma + 1;
            }
            if (n != _fields) return -1;
            if (!PlainNumber.TryParseLong(line[fields[_time]], out var ms) || ms < MinMillis || ms > MaxMillis) return -1;
            Span<double> v = stackalloc double[Required.Length];
            for (var i = 0; i < v.Length; i++)
                if (!PlainNumber.TryParseDouble(line[fields[_columns[i]]], out v[i]) || !double.IsFinite(v[i])) return -1;
            if (count > 0 && ms <= previous) return -1;
            candle = new Candle(ms, v[0], v[1], v[2], v[3], v[4]);
            return CandleSanity.IsSane(candle) ? 1 : -1;
        }

        /// <summary>1 with the next line's bytes (its \n, and one \r before it, left out), 0 at the end of the file, -1
        /// for a line longer than the buffer.</summary>
        private int NextLine(out int start, out int length)
        {
            while (true)
            {
                var newline = _buffer.AsSpan(_at, _end - _at).IndexOf((byte)'\n');
                if (newline >= 0 || (_eof && _at < _end))
                {
                    start = _at;
                    length = newline >= 0 ? newline : _end - _at;
                    _at += newline >= 0 ? newline + 1 : length;
                    if (length > 0 && _buffer[start + length - 1] == (byte)'\r') length--;
                    return 1;
                }
                start = length = 0;
                if (_eof) return 0;
                if (_at > 0)
                {
                    Buffer.BlockCopy(_buffer, _at, _buffer, 0, _end - _at);
                    _end -= _at;
                    _at = 0;
                }
                if (_end == _buffer.Length) return -1;
                var read = _file.Read(_buffer, _end, _buffer.Length - _end);
                if (read == 0) _eof = true;
                else _end += read;
            }
        }

        public void Dispose() => _file.Dispose();
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
