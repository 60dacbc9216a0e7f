using System.IO.Compression;

namespace Afml.Core.Agent.Sb3;

/// <summary>A zip read fully into memory with every entry's CRC checked, so a damaged archive is an error naming
/// the file and the entry rather than a model with wrong weights.</summary>
internal sealed class ZipEntries
{
    private const long MaxEntryBytes = 512L * 1024 * 1024;
    private readonly Dictionary<string, byte[]> _entries;

    private ZipEntries(string label, Dictionary<string, byte[]> entries)
    {
        Label = label;
        _entries = entries;
    }

    /// <summary>How errors name this archive, e.g. <c>/…/modelo.zip</c> or <c>/…/modelo.zip:policy.pth</c>.</summary>
    public string Label { get; }

    public IEnumerable<string> Names => _entries.Keys;

    public static ZipEntries Read(Stream stream, string label, string target)
    {
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var e in zip.Entries)
            {
                if (e.FullName.EndsWith('/')) continue;
                if (e.Length > MaxEntryBytes) throw Invalid(label, target, $"entry '{e.FullName}' claims {e.Length} bytes");
                using var s = e.Open();
                var buffer = new byte[e.Length];
                s.ReadExactly(buffer);
                if (s.ReadByte() != -1) throw Invalid(label, target, $"entry '{e.FullName}' is longer than its header says");
                if (Crc32.Compute(buffer) != e.Crc32) throw Invalid(label, target, $"entry '{e.FullName}' fails its CRC check (the file is corrupt)");
                entries[e.FullName] = buffer;
            }
            return new ZipEntries(label, entries);
        }
        catch (InvalidDataException ex)
        {
            throw Invalid(label, target, ex.Message, ex);
        }
        catch (EndOfStreamException ex)
        {
            throw Invalid(label, target, "an entry ends early (the file is truncated)", ex);
        }
    }

    public bool TryGet(string name, out byte[] data) => _entries.TryGetValue(name, out data!);

    public byte[] Get(string name, string target) =>
        _entries.TryGetValue(name, out var data) ? data : throw Invalid(Label, target, $"has no entry '{name}'");

    public static AfmlException Invalid(string label, string target, string what, Exception? inner = null) =>
        new("ModelZipInvalid", AfmlErrorCategory.InvalidData, $"{label}: not a readable SB3 model archive ({what}).", target, inner);
}
