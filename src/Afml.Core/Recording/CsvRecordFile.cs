using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Afml.Core.Recording;

/// <summary>When the rows of a <see cref="CsvRecordFile"/> leave the process.</summary>
public enum CsvFlush
{
    /// <summary>Each row is handed to the operating system as it is written: a crash of the process loses at most
    /// the row being written (paper sessions, anything an operator watches as it happens).</summary>
    EachRow,
    /// <summary>Each row is also forced to the disk (fsync) before the write returns: a power loss cannot lose a row
    /// whose order went out after it (venues with real orders, emergency files).</summary>
    EachRowToDisk,
    /// <summary>Rows are written in large chunks (and at the end): an offline replay, which can be run again, writes
    /// ~100,000 rows a second and a write per row would cost more than the step.</summary>
    Buffered,
}

/// <summary>
/// An append-only CSV created next to the others without ever overwriting one (a name already taken gets a
/// <c>_2</c>, <c>_3</c>... suffix), owner-only on Unix. Rows are formatted straight to UTF-8 into one reused
/// buffer (no string per field), with exactly the bytes CsvHelper wrote for the same fields (a field is quoted
/// when it holds a quote, a comma or a newline, or starts or ends with a space; quotes are doubled; <c>\n</c>
/// line ends), and leave the process as <see cref="CsvFlush"/> says.
/// </summary>
internal sealed class CsvRecordFile : IDisposable
{
    /// <summary>Buffered rows are written once this many bytes are waiting.</summary>
    private const int ChunkBytes = 64 * 1024;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly FileStream _stream;
    private readonly CsvFlush _flush;
    private byte[] _buffer;
    private int _length;    // bytes in the buffer
    private int _rowStart;  // where the row being formatted starts
    private bool _firstField = true;

    private CsvRecordFile(FileStream stream, IReadOnlyList<string> header, CsvFlush flush)
    {
        _stream = stream;
        _flush = flush;
        Path = stream.Name;
        _buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes + 4096);
        WriteRow(header);
    }

    public string Path { get; }

    public static CsvRecordFile Create(string directory, string baseName, IReadOnlyList<string> header, bool durable = false) =>
        Create(directory, baseName, header, durable ? CsvFlush.EachRowToDisk : CsvFlush.EachRow);

    public static CsvRecordFile Create(string directory, string baseName, IReadOnlyList<string> header, CsvFlush flush)
    {
        Directory.CreateDirectory(directory);
        for (var n = 1; ; n++)
        {
            var name = n == 1 ? $"{baseName}.csv" : $"{baseName}_{n}.csv";
            try
            {
                var options = DurableFile.CreateOptions(FileMode.CreateNew);
                options.BufferSize = 0; // the rows are buffered here: each write goes straight to the operating system
                var stream = new FileStream(System.IO.Path.Combine(directory, name), options);
                return new CsvRecordFile(stream, header, flush);
            }
            catch (IOException) when (File.Exists(System.IO.Path.Combine(directory, name)) && n < 1000)
            {
                // taken by an earlier session started in the same second: try the next suffix
            }
        }
    }

    /// <summary>A whole row of text fields (the header, the emergency file).</summary>
    public void WriteRow(IReadOnlyList<string> fields)
    {
        foreach (var f in fields) Text(f);
        EndRow();
    }

    /// <summary>A text field; null is empty.</summary>
    public void Text(string? value)
    {
        var span = value.AsSpan();
        var quote = span.Length > 0 && (span[0] == ' ' || span[^1] == ' ' || span.IndexOfAny('"', ',', '\n') >= 0);
        Separator();
        var room = 2 + MaxUtf8Bytes(quote ? 2 * span.Length : span.Length);
        var dest = Room(room);
        if (!quote)
        {
            _length += Utf8.GetBytes(span, dest);
            return;
        }
        var n = 0;
        dest[n++] = (byte)'"';
        while (true)
        {
            var q = span.IndexOf('"');
            var part = q < 0 ? span : span[..(q + 1)];
            n += Utf8.GetBytes(part, dest[n..]);
            if (q < 0) break;
            dest[n++] = (byte)'"'; // a quote is doubled
            span = span[(q + 1)..];
        }
        dest[n++] = (byte)'"';
        _length += n;
    }

    /// <summary>At most 3 UTF-8 bytes per UTF-16 char (a surrogate pair: 4 bytes for 2 chars), plus one char's
    /// worth for a dangling surrogate; plain arithmetic, not the encoding's virtual calls into its fallback.</summary>
    private static int MaxUtf8Bytes(int chars) => 3 * (chars + 1);

    /// <summary>A double as <c>ToString("R", InvariantCulture)</c> writes it (shortest round trip, through
    /// <see cref="ShortestDouble"/>); NaN is empty.</summary>
    public void Number(double value)
    {
        Separator();
        if (double.IsNaN(value)) return;
        var dest = Room(32);
        if (!ShortestDouble.TryFormatUtf8(value, dest, out var n)) throw new InvalidOperationException("double did not fit in 32 bytes");
        _length += n;
    }

    public void Number(double? value)
    {
        if (value is { } v) Number(v);
        else Empty();
    }

    public void Integer(long? value)
    {
        Separator();
        if (value is not { } v) return;
        var dest = Room(20);
        Utf8Formatter.TryFormat(v, dest, out var n);
        _length += n;
    }

    public void Bool(bool? value)
    {
        Separator();
        var dest = Room(5);
        ReadOnlySpan<byte> text = value switch { true => "True"u8, false => "False"u8, null => [] };
        text.CopyTo(dest);
        _length += text.Length;
    }

    /// <summary>ISO-8601 UTC with milliseconds, <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>; null is empty.</summary>
    public void Time(DateTimeOffset? value)
    {
        Separator();
        if (value is not { } v) return;
        var dest = Room(24);
        var t = v.UtcDateTime;
        Digits(dest, 0, t.Year, 4);
        dest[4] = (byte)'-';
        Digits(dest, 5, t.Month, 2);
        dest[7] = (byte)'-';
        Digits(dest, 8, t.Day, 2);
        dest[10] = (byte)'T';
        Digits(dest, 11, t.Hour, 2);
        dest[13] = (byte)':';
        Digits(dest, 14, t.Minute, 2);
        dest[16] = (byte)':';
        Digits(dest, 17, t.Second, 2);
        dest[19] = (byte)'.';
        Digits(dest, 20, t.Millisecond, 3);
        dest[23] = (byte)'Z';
        _length += 24;
    }

    private void Empty() => Separator();

    private static void Digits(Span<byte> dest, int at, int value, int width)
    {
        for (var i = at + width - 1; i >= at; i--)
        {
            dest[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }

    /// <summary>Ends the row and lets it out as <see cref="CsvFlush"/> says.</summary>
    public void EndRow()
    {
        Room(1)[0] = (byte)'\n';
        _length++;
        _firstField = true;
        if (_flush != CsvFlush.Buffered || _length >= ChunkBytes) WriteOut();
        _rowStart = _length;
    }

    /// <summary>The comma before every field but the first.</summary>
    private void Separator()
    {
        if (_firstField)
        {
            _firstField = false;
            return;
        }
        Room(1)[0] = (byte)',';
        _length++;
    }

    /// <summary>Room for <paramref name="bytes"/> more bytes at the end of the buffer (grown, never flushed mid-row).</summary>
    private Span<byte> Room(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(2 * _buffer.Length, _length + bytes));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        return _buffer.AsSpan(_length);
    }

    /// <summary>Every complete row to the operating system now (a buffered file's rows included).</summary>
    public void Flush()
    {
        var pending = _length - _rowStart;
        if (pending != 0) return; // mid-row: only between rows
        WriteOut();
        _rowStart = 0;
    }

    private void WriteOut()
    {
        if (_length == 0) return;
        _stream.Write(_buffer, 0, _length);
        _stream.Flush(flushToDisk: _flush == CsvFlush.EachRowToDisk);
        _length = 0;
    }

    public void Dispose()
    {
        if (_buffer.Length == 0) return;
        try
        {
            _length = _rowStart; // a row left half-formatted by a failure is not written
            WriteOut();
        }
        finally
        {
            _stream.Dispose();
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
