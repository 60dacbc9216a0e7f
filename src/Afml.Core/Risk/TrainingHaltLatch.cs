using System.Globalization;
using System.Text.Json;
using Afml.Core.Recording;

namespace Afml.Core.Risk;

/// <summary>Why and when a training was halted: the content of <c>produccion/afml_halted.json</c>.</summary>
public sealed record HaltRecord
{
    public required DateTimeOffset HaltedAt { get; init; }
    public required string Reason { get; init; }
    public string? TrainId { get; init; }
    public string? SessionId { get; init; }
    public string? Venue { get; init; }
    public string? Symbol { get; init; }
    /// <summary>FLAT, EMERGENCY_INCOMPLETE, or null while the protocol is still running.</summary>
    public string? EmergencyState { get; init; }
    /// <summary>What the protocol left open, in words (empty when flat).</summary>
    public string? StillOpen { get; init; }
    /// <summary>Who halted it: the session (its process) or an operator (user@host).</summary>
    public string? HaltedBy { get; init; }
}

/// <summary>
/// The seed's "no se reinicia automáticamente", made durable: once an emergency runs, the training is HALTED in a
/// small file under its <c>produccion/</c> folder (written atomically, owner-only) that outlives the process; a new
/// session of that training is refused (<c>TrainingHalted</c>, naming when and why) until an operator clears it with
/// <c>Reset-AfmlEmergency</c>.
/// </summary>
public sealed class TrainingHaltLatch(string productionDir)
{
    public const string FileName = "afml_halted.json";

    private readonly DurableJsonFile<HaltRecord> _file = new(System.IO.Path.Combine(productionDir, FileName));

    public string Path => _file.Path;

    public bool IsHalted => _file.Exists;

    /// <summary>The latch, or null when the training is not halted. A latch file that cannot be read still halts:
    /// its reason says so.</summary>
    public HaltRecord? Read()
    {
        try
        {
            return _file.Read();
        }
        catch (JsonException ex)
        {
            return new HaltRecord { HaltedAt = File.GetLastWriteTimeUtc(Path), Reason = $"latch file unreadable ({ex.Message})" };
        }
    }

    /// <summary>Refuses to go on when the training is halted.</summary>
    public void ThrowIfHalted(string trainId)
    {
        if (Read() is not { } halt) return;
        var state = halt.EmergencyState is null ? "" : $" · {halt.EmergencyState}{(string.IsNullOrEmpty(halt.StillOpen) ? "" : ": " + halt.StillOpen)}";
        throw new AfmlException("TrainingHalted", AfmlErrorCategory.InvalidOperation, string.Create(CultureInfo.InvariantCulture,
            $"Training '{trainId}' is HALTED since {halt.HaltedAt:yyyy-MM-dd HH:mm:ss'Z'} ({halt.Reason}{(halt.SessionId is null ? "" : $", session {halt.SessionId}")}{state}). Check the account, then clear it with Reset-AfmlEmergency -TrainId {trainId}."),
            Path);
    }

    /// <summary>Writes (or updates) the latch atomically.</summary>
    public void Write(HaltRecord record) => _file.Write(record);

    /// <summary>Clears the latch; returns what it said, or null when the training was not halted.</summary>
    public HaltRecord? Clear()
    {
        var record = Read();
        if (record is null) return null;
        File.Delete(Path);
        return record;
    }
}
