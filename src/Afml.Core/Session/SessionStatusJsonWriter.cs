using System.Buffers;
using System.Text.Json;

namespace Afml.Core.Session;

/// <summary>
/// Writes a <see cref="SessionStatus"/> as the status file's JSON by hand, through <see cref="Utf8JsonWriter"/> (whose
/// code is precompiled in the framework's image): the same bytes System.Text.Json's serializer writes with
/// <see cref="SessionStatusFile"/>'s options (snake_case names in declaration order, two-space indentation, nulls
/// written), which stays the reader's format and the test's reference. The serializer built its metadata for the record
/// on a process's first status write, about 330 generic methods JIT-compiled at the start of every session (most of
/// a 10,000-candle replay's start); this writer compiles nothing.
/// </summary>
internal static class SessionStatusJsonWriter
{
    private static readonly JsonWriterOptions Options = new() { Indented = true };

    public static byte[] ToUtf8(SessionStatus s)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            w.WriteString("session_id", s.SessionId);
            w.WriteString("train_id", s.TrainId);
            w.WriteString("venue", s.Venue);
            w.WriteString("symbol", s.Symbol);
            w.WriteNumber("process_id", s.ProcessId);
            w.WriteString("state", s.State);
            w.WriteString("trading_state", s.TradingState);
            w.WriteString("started_at", s.StartedAt);
            w.WriteString("updated_at", s.UpdatedAt);
            w.WriteNumber("step", s.Step);
            Time(w, "last_candle", s.LastCandle);
            w.WriteNumber("price", s.Price);
            w.WriteNumber("equity", s.Equity);
            w.WriteNumber("balance", s.Balance);
            w.WriteNumber("drawdown", s.Drawdown);
            w.WriteNumber("max_drawdown_allowed", s.MaxDrawdownAllowed);
            w.WriteString("position", s.Position);
            w.WriteNumber("position_quantity", s.PositionQuantity);
            w.WriteNumber("last_action", s.LastAction);
            w.WriteString("last_operation", s.LastOperation);
            w.WriteString("stop_reason", s.StopReason);
            Number(w, "last_mark_price", s.LastMarkPrice);
            Time(w, "last_mark_at", s.LastMarkAt);
            w.WriteString("registro_path", s.RegistroPath);
            w.WriteString("emergency_path", s.EmergencyPath);
            Time(w, "process_started_at", s.ProcessStartedAt);
            Time(w, "heartbeat_at", s.HeartbeatAt);
            w.WriteNumber("heartbeat_seconds", s.HeartbeatSeconds);
            w.WriteString("venue_kind", s.VenueKind);
            w.WriteString("endpoint", s.Endpoint);
            w.WriteString("emergency_state", s.EmergencyState);
            w.WriteString("emergency_open", s.EmergencyOpen);
            if (s.ProtectiveStopPrice is { } stop) w.WriteNumber("protective_stop_price", stop);
            else w.WriteNull("protective_stop_price");
            w.WriteString("protective_stop_id", s.ProtectiveStopId);
            Number(w, "protective_stop_distance_pct", s.ProtectiveStopDistancePct);
            w.WriteString("protective_stop_problem", s.ProtectiveStopProblem);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void Time(Utf8JsonWriter w, string name, DateTimeOffset? value)
    {
        if (value is { } v) w.WriteString(name, v);
        else w.WriteNull(name);
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
