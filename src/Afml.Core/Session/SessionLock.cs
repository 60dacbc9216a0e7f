using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Afml.Core.Recording;

namespace Afml.Core.Session;

/// <summary>Who holds a <see cref="SessionLock"/>: written next to the lock file (never a secret).</summary>
public sealed record SessionLockHolder(string SessionId, string TrainId, int ProcessId, DateTimeOffset AcquiredAt, string? StatusPath);

/// <summary>
/// One session per account and symbol: an exclusive operating-system lock on a file under the user's data folder
/// (<c>LocalApplicationData/afml/locks</c>), keyed by venue, account (a SHA-256 of the API key, never the key) and
/// symbol. The file is opened with <see cref="FileShare.None"/> (an exclusive <c>flock</c> on Unix, a sharing lock on
/// Windows), so the operating system releases it when the process dies, however it dies; <see cref="Dispose"/>
/// releases it on a normal end. Who holds it is written to a side file (<c>.holder.json</c>), which a refused
/// session names in its <c>SessionConflict</c> error.
/// </summary>
public sealed class SessionLock : IDisposable
{
    private readonly FileStream _stream;

    private SessionLock(FileStream stream, string path, string holderPath)
    {
        _stream = stream;
        Path = path;
        HolderPath = holderPath;
    }

    public string Path { get; }
    public string HolderPath { get; }

    /// <summary><c>LocalApplicationData/afml/locks</c>.</summary>
    public static string DefaultDirectory =>
        System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "afml", "locks");

    /// <summary>A hash that names the account without revealing the key (first 16 hex digits of its SHA-256).</summary>
    public static string AccountHash(string apiKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey.Trim())))[..16];

    /// <summary>The lock file's name for a venue (name + REST base), an account and a symbol.</summary>
    public static string KeyFor(string venue, string accountHash, string symbol)
    {
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{venue.ToLowerInvariant()}|{accountHash}|{symbol.ToUpperInvariant()}")))[..20];
        return $"{Safe(symbol.ToUpperInvariant())}-{digest}";
    }

    /// <summary>Takes the lock, or refuses with <c>SessionConflict</c> naming the session that holds it.</summary>
    /// <param name="venue">The venue's identity: its name and REST base (testnet and production never share a lock).</param>
    public static SessionLock Acquire(string venue, string accountHash, string symbol, SessionLockHolder holder, string? directory = null)
    {
        var dir = directory ?? DefaultDirectory;
        Directory.CreateDirectory(dir);
        var key = KeyFor(venue, accountHash, symbol);
        var path = System.IO.Path.Combine(dir, key + ".lock");
        var holderPath = System.IO.Path.Combine(dir, key + ".holder.json");
        FileStream stream;
        try
        {
            stream = new FileStream(path, DurableFile.CreateOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException)
        {
            var other = ReadHolder(holderPath);
            var who = other is null
                ? "another session (its holder file is unreadable)"
                : string.Create(CultureInfo.InvariantCulture, $"session {other.SessionId} of '{other.TrainId}' (process {other.ProcessId}, since {other.AcquiredAt:yyyy-MM-dd HH:mm:ss'Z'}{(other.StatusPath is null ? "" : ", status " + other.StatusPath)})");
            throw new AfmlException("SessionConflict", AfmlErrorCategory.InvalidOperation,
                $"{symbol} on {venue} (account {accountHash}) is already traded by {who}: one session per account and symbol. Stop it (or Invoke-AfmlEmergency) first.",
                path, ex);
        }
        try
        {
            DurableFile.WriteAllTextAtomic(holderPath, JsonSerializer.Serialize(holder));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return new SessionLock(stream, path, holderPath);
    }

    public static SessionLockHolder? ReadHolder(string holderPath)
    {
        try { return JsonSerializer.Deserialize<SessionLockHolder>(File.ReadAllText(holderPath)); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException) { return null; }
    }

    /// <summary>Releases the lock (the holder file goes first, while the lock still keeps others out).</summary>
    public void Dispose()
    {
        try { File.Delete(HolderPath); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        _stream.Dispose();
    }

    private static string Safe(string s) => new(s.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
}
