using System.Text.Json;
using System.Text.Json.Serialization;

namespace Afml.Core.Session;

/// <summary>
/// A running session's state as another shell sees it (<c>Get-AfmlStatus</c>): written next to the registro as
/// <c>sesion_YYYYMMDD_HHMMSS.status.json</c> after every step, replaced atomically. No secret ever goes here.
/// </summary>
public sealed record SessionStatus
{
    public required string SessionId { get; init; }
    public required string TrainId { get; init; }
    public required string Venue { get; init; }
    public required string Symbol { get; init; }
    public required int ProcessId { get; init; }
    public required string State { get; init; }        // Starting, Running, Stopped
    public required string TradingState { get; init; } // Active, Halted
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public int Step { get; init; }
    public DateTimeOffset? LastCandle { get; init; }
    public double Price { get; init; }
    public double Equity { get; init; }
    public double Balance { get; init; }
    public double Drawdown { get; init; }
    public double MaxDrawdownAllowed { get; init; }
    public string? Position { get; init; }
    public double PositionQuantity { get; init; }
    public double LastAction { get; init; }
    public string? LastOperation { get; init; }
    public string? StopReason { get; init; }
    public required string RegistroPath { get; init; }
    public string? EmergencyPath { get; init; }
}

/// <summary>Writes <see cref="SessionStatus"/> atomically (temp file + rename) so a reader never sees half a file.</summary>
public sealed class SessionStatusFile(string path)
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
    };

    public string Path { get; } = path;

    public void Write(SessionStatus status)
    {
        var temp = Path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(status, Options));
        File.Move(temp, Path, overwrite: true);
    }

    public static SessionStatus Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<SessionStatus>(File.ReadAllText(path), Options)
                ?? throw new JsonException("empty document");
        }
        catch (JsonException ex)
        {
            throw new AfmlException("StatusFileInvalid", AfmlErrorCategory.InvalidData, $"{path}: not a session status file ({ex.Message}).", path, ex);
        }
    }
}
