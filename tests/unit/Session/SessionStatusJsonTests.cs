using System.Text.Json;
using System.Text.Json.Serialization;
using Afml.Core.Session;

namespace Afml.Tests.Session;

/// <summary>The status file's JSON is written by hand (SessionStatusJsonWriter: nothing JIT-compiled at a session's
/// start): byte for byte what the reflection serializer writes with the same options, and read back the same.</summary>
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
        var odd = full with
        {
            LastAction = 1e-300, Price = -0.0, Equity = double.MaxValue, Balance = double.Epsilon, Drawdown = 0.1 + 0.2,
            StartedAt = new DateTimeOffset(2026, 12, 2, 21, 0, 0, TimeSpan.FromHours(-3)).AddTicks(1234567),
            LastCandle = DateTimeOffset.MinValue, LastMarkAt = DateTimeOffset.MaxValue, ProtectiveStopPrice = 79228162514264337593543950335m,
            ProtectiveStopDistancePct = -1e21, Endpoint = "https://x.test/<a>&'b'\\c\t\u0001€𝄞", EmergencyOpen = "línea\r\nsegunda",
            Position = "", LastOperation = null, StopReason = null, ProtectiveStopProblem = "-4130 \"closePosition\"",
        };
        return [minimal, full, odd, odd with { ProtectiveStopPrice = 0.00000001m, LastMarkPrice = 1234567890123456789d, HeartbeatSeconds = 0 }];
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

    [Theory]
    [MemberData(nameof(Statuses))]
    public void A_session_write_stamps_and_writes_what_the_serializer_would(SessionStatus status)
    {
        var file = new SessionStatusFile(Path.Combine(_dir, "s.status.json")) { VenueKind = VenueKind.Replay };
        file.Write(status);
        Assert.Equal(JsonSerializer.Serialize(file.Last, Reflection), File.ReadAllText(file.Path));
        Assert.Equal("Replay", file.Last!.VenueKind);
    }
}
