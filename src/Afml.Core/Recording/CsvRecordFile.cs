using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace Afml.Core.Recording;

/// <summary>
/// An append-only CSV created next to the others without ever overwriting one (a name already taken gets a
/// <c>_2</c>, <c>_3</c>... suffix), owner-only on Unix. Every row is flushed to the operating system as it is written,
/// so a crash of the process loses at most the row being written; a <c>durable</c> file (live venues) also forces each
/// row to the disk before <see cref="WriteRow"/> returns, so a power loss cannot lose a row whose order went out after it.
/// </summary>
internal sealed class CsvRecordFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly StreamWriter _writer;
    private readonly CsvWriter _csv;
    private readonly bool _durable;

    private CsvRecordFile(FileStream stream, IReadOnlyList<string> header, bool durable)
    {
        _stream = stream;
        _durable = durable;
        Path = stream.Name;
        _writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
        _csv = new CsvWriter(_writer, new CsvConfiguration(CultureInfo.InvariantCulture) { NewLine = "\n" });
        WriteRow(header);
    }

    public string Path { get; }

    public static CsvRecordFile Create(string directory, string baseName, IReadOnlyList<string> header, bool durable = false)
    {
        Directory.CreateDirectory(directory);
        for (var n = 1; ; n++)
        {
            var name = n == 1 ? $"{baseName}.csv" : $"{baseName}_{n}.csv";
            try
            {
                var stream = new FileStream(System.IO.Path.Combine(directory, name), DurableFile.CreateOptions(FileMode.CreateNew));
                return new CsvRecordFile(stream, header, durable);
            }
            catch (IOException) when (File.Exists(System.IO.Path.Combine(directory, name)) && n < 1000)
            {
                // taken by an earlier session started in the same second: try the next suffix
            }
        }
    }

    public void WriteRow(IReadOnlyList<string> fields)
    {
        foreach (var f in fields) _csv.WriteField(f);
        _csv.NextRecord();
        _csv.Flush();
        _writer.Flush();
        _stream.Flush(flushToDisk: _durable);
    }

    public void Dispose()
    {
        _csv.Dispose();
        _writer.Dispose();
        _stream.Dispose();
    }
}
