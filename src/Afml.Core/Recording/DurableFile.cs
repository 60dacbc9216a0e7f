using System.Text;

namespace Afml.Core.Recording;

/// <summary>
/// How Afml creates the files it keeps under <c>produccion/</c> (and its lock files): owner-only on Unix
/// (<c>rw-------</c>, set at creation so there is no moment when another user can open it), and whole-file
/// replacements written to a uniquely named temporary next to the target, flushed to disk, then renamed over it.
/// A failure deletes the temporary: no <c>.tmp</c> litter, and the previous content stays intact.
/// </summary>
public static class DurableFile
{
    /// <summary><c>rw-------</c>.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Options for a new file: owner-only on Unix.</summary>
    public static FileStreamOptions CreateOptions(FileMode mode, FileAccess access = FileAccess.Write, FileShare share = FileShare.Read)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        return options;
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="text"/> (UTF-8, no BOM) atomically: a reader
    /// sees the old content or the new one, never half of either.</summary>
    public static void WriteAllTextAtomic(string path, string text) =>
        WriteAllBytesAtomic(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text));

    /// <summary>Replaces <paramref name="path"/> with <paramref name="bytes"/> atomically, as <see cref="WriteAllTextAtomic"/>.</summary>
    /// <param name="flushToDisk">Flush the new content to the disk before the rename (false: a reader still sees the old
    /// content or the new one, but a power cut may leave the old one, or on some file systems an empty file).</param>
    public static void WriteAllBytesAtomic(string path, ReadOnlySpan<byte> bytes, bool flushToDisk = true)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6))}.tmp");
        try
        {
            using (var stream = new FileStream(temp, CreateOptions(FileMode.CreateNew, FileAccess.Write, FileShare.None)))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
