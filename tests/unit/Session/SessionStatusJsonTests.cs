using System.Text.Json;
using System.Text.Json.Serialization;
using Afml.Core.Session;

namespace Afml.Tests.Session;

/// <summary>The status file's JSON comes from source-generated metadata (no reflection warm-up at a session's start):
/// byte for byte what the reflection serializer wrote with the same options, and read back the same.</summary>
public class SessionStatusJsonTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("afml-status-json-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly JsonSerializerOptions Reflection = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
    };

    public static TheoryData<SessionStatus> Statuses()
    {
        var t = new DateTimeOffset(2026, 12, 2, 21, 0, 0, TimeSpan.Zero);
        var minimal = new SessionStatus
        {
            SessionId = "s1", TrainId = "train_x", Venue = "simulated", Symbol = "BTCUSDT", ProcessId = 42, State = "Running",
            TradingState = "ACTIVE", StartedAt = t, UpdatedAt = t.AddSeconds(1), RegistroPath = "/tmp/registro.csv",
        };
        var full = minimal with
        {
            Step = 12345, LastCandle = t.AddHours(-1), Price = 30123.45, Equity = 10_001.5, Balance = 9_999.25, Drawdown = 0.0123,
            MaxDrawdownAllowed = 0.2, Position = "long", PositionQuantity = 0.0123456789, LastAction = -0.75, LastOperation = "abrir_long",
            StopReason = "MaxSteps: \"quoted\" ñ", LastMarkPrice = 30120.5, LastMarkAt = t.AddMinutes(-5), EmergencyPath = "/tmp/e.csv",
            ProcessStartedAt = t.AddDays(-1), HeartbeatAt = t, HeartbeatSeconds = 1.5, VenueKind = "Replay", Endpoint = "http://127.0.0.1:1",
            EmergencyState = "FLAT", EmergencyOpen = "nada", ProtectiveStopPrice = 29_000.10m, ProtectiveStopId = "afml-stop/7",
            ProtectiveStopDistancePct = 3.72, StatusPath = "ignored", TrainingRoot = "ignored",
        };
        return [minimal, full, full with { LastAction = 1e-300, Price = -0.0 }];
    }

    [Theory]
    [MemberData(nameof(Statuses))]
    public void The_file_is_what_the_reflection_serializer_wrote_and_reads_back(SessionStatus status)
    {
        var path = Path.Combine(_dir, "afml_status.json");
        SessionStatusFile.Rewrite(path, status);
        Assert.Equal(JsonSerializer.Serialize(status, Reflection), File.ReadAllText(path));
        var read = SessionStatusFile.Read(path);
        Assert.Equal(status with { StatusPath = path, TrainingRoot = null }, read);
    }
}
