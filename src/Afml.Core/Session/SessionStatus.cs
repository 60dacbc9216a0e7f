using System.Text.Json;
using System.Text.Json.Serialization;
using Afml.Core.Recording;

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
    /// <summary>Starting, Running, Stopped, Failed; <see cref="SessionState.Stale"/> is never written, only reported
    /// by <see cref="SessionLiveness"/> for a Running status whose process or heartbeat is gone.</summary>
    public required string State { get; init; }
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
    /// <summary>The last mark price the drawdown monitor between candles saw, and when (UTC, the venue's time).</summary>
    public double? LastMarkPrice { get; init; }
    public DateTimeOffset? LastMarkAt { get; init; }
    public required string RegistroPath { get; init; }
    public string? EmergencyPath { get; init; }

    // Liveness and venue (issue 8 items 4-5): who wrote this and where it trades; never a secret.
    /// <summary>Start time of the process <see cref="ProcessId"/> names: a reused PID has another one.</summary>
    public DateTimeOffset? ProcessStartedAt { get; init; }
    /// <summary>Rewritten every <see cref="HeartbeatSeconds"/> while the session lives, also while it waits for a candle.</summary>
    public DateTimeOffset? HeartbeatAt { get; init; }
    public double HeartbeatSeconds { get; init; }
    /// <summary>Replay, Paper, Testnet or Live.</summary>
    public string? VenueKind { get; init; }
    /// <summary>The venue's REST base (an -Endpoint, or Binance's own address); null for replay.</summary>
    public string? Endpoint { get; init; }
    /// <summary>How the last emergency protocol ended: FLAT or EMERGENCY_INCOMPLETE.</summary>
    public string? EmergencyState { get; init; }
    /// <summary>What the emergency protocol left open, in words (EMERGENCY_INCOMPLETE only).</summary>
    public string? EmergencyOpen { get; init; }

    // The exchange-resident guard (issue 10, layer 2): the protective stop resting on the venue now.
    /// <summary>The protective stop's trigger (mark price); null when none rests.</summary>
    public decimal? ProtectiveStopPrice { get; init; }
    /// <summary>Its client algo id (and the venue's algo id after a slash when known).</summary>
    public string? ProtectiveStopId { get; init; }
    /// <summary>How far the last price is from the stop, in % of the price (how much room is left).</summary>
    public double? ProtectiveStopDistancePct { get; init; }
    /// <summary>Why no protective stop guards the position although one should (e.g. a close-all stop placed by hand
    /// makes Binance refuse ours, -4130); null when nothing is wrong.</summary>
    public string? ProtectiveStopProblem { get; init; }

    /// <summary>Where this status was read from (set by readers, not stored).</summary>
    [JsonIgnore] public string? StatusPath { get; init; }
    /// <summary>The training root it was found under (set by Get-AfmlStatus, so a pipeline into Invoke-AfmlEmergency
    /// keeps it; not stored).</summary>
    [JsonIgnore] public string? TrainingRoot { get; init; }
}


/// <summary>Writes <see cref="SessionStatus"/> atomically (unique temp file + rename, owner-only, no temp left behind on a
/// failure) so a reader never sees half a file. Stamps every write with this process's identity and start time, the
/// heartbeat time and the venue it was told about; <see cref="Touch"/> rewrites the last status with a fresh heartbeat.</summary>
/// <summary>The status's JSON metadata made at compile time by System.Text.Json's source generator, for reading a
/// status (Get-AfmlStatus) without reflection and emitted IL; writing goes through <see cref="SessionStatusJsonWriter"/>.</summary>
[JsonSerializable(typeof(SessionStatus))]
internal sealed partial class SessionStatusJson : JsonSerializerContext;

public sealed class SessionStatusFile(string path, TimeProvider? clock = null)
{
    private readonly Lock _gate = new(); // a Lock, as SessionStatusWriter's: taken by the step path and by the heartbeat timer
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private SessionStatus? _last;

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
        TypeInfoResolver = SessionStatusJson.Default, // metadata from the source generator; names, indentation, converters as set here
    };

    public string Path { get; } = path;

    /// <summary>Replay, Paper, Testnet or Live, written into every status.</summary>
    public VenueKind? VenueKind { get; init; }
    /// <summary>The venue's REST base, written into every status (null for replay).</summary>
    public string? Endpoint { get; init; }
    public ProcessIdentity Process { get; init; } = ProcessIdentity.Current();
    public TimeSpan HeartbeatPeriod { get; init; } = StatusHeartbeat.DefaultPeriod;
    /// <summary>Each write flushed to the disk before its rename (the default). An offline replay's status does not need
    /// to outlive a power cut (the replay is run again, and its registro is written in chunks for the same reason), so
    /// its writes skip the flush: two at a session's start, then one a second.</summary>
    public bool FlushToDisk { get; init; } = true;

    /// <summary>The last status written.</summary>
    public SessionStatus? Last
    {
        get { lock (_gate) return _last; }
    }

    public void Write(SessionStatus status)
    {
        lock (_gate)
        {
            var stamped = status with
            {
                ProcessId = Process.ProcessId,
                ProcessStartedAt = Process.StartedAt,
                HeartbeatAt = _clock.GetUtcNow(),
                HeartbeatSeconds = HeartbeatPeriod.TotalSeconds,
                VenueKind = VenueKind?.ToString() ?? status.VenueKind,
                Endpoint = Endpoint ?? status.Endpoint,
            };
            DurableFile.WriteAllBytesAtomic(Path, SessionStatusJsonWriter.ToUtf8(stamped), FlushToDisk);
            _last = stamped;
        }
    }

    /// <summary>The heartbeat: rewrites the last status (if the session is still active) with a fresh
    /// <see cref="SessionStatus.HeartbeatAt"/>. Returns false when there was nothing to touch.</summary>
    public bool Touch()
    {
        lock (_gate)
        {
            if (_last is not { } last || !SessionStateText.IsActive(last.State)) return false;
            Write(last);
            return true;
        }
    }

    /// <summary>Replaces a status file as it is (no stamping): an operator's tool recording what became of a dead session.</summary>
    public static void Rewrite(string path, SessionStatus status) =>
        DurableFile.WriteAllBytesAtomic(path, SessionStatusJsonWriter.ToUtf8(status));

    public static SessionStatus Read(string path)
    {
        try
        {
            var status = JsonSerializer.Deserialize<SessionStatus>(File.ReadAllText(path), Options)
                ?? throw new JsonException("empty document");
            return status with { StatusPath = path };
        }
        catch (JsonException ex)
        {
            throw new AfmlException("StatusFileInvalid", AfmlErrorCategory.InvalidData, $"{path}: not a session status file ({ex.Message}).", path, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AfmlException("StatusFileUnreadable", AfmlErrorCategory.InvalidData, $"{path}: cannot be read ({ex.Message}).", path, ex);
        }
    }
}
