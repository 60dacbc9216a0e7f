using System.Globalization;
using System.Management.Automation;
using System.Text;
using Afml.Core.Session;

namespace Afml.PowerShell.Commands;

/// <summary>
/// One frame of <c>Get-AfmlStatus -Watch</c>: a few lines per session, like <c>top</c>. Invariant numbers and ISO-8601
/// UTC times whatever the culture. Guard and connection fields that a status may carry (protective stop, last mark
/// price, stream health, last error) are shown when the status has them and skipped when it does not, so this view
/// reads status files of older and newer sessions alike.
/// </summary>
internal sealed class StatusBoard(Func<SessionStatus, TimeSpan?> intervalOf)
{
    private const int BarWidth = 20;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Optional status fields, by name: shown when present and not null.</summary>
    private static readonly string[] ConnectionFields = ["StreamConnected", "LastMessageAt", "LastMessageAgeSeconds"];

    public IReadOnlyList<string> Render(IReadOnlyList<SessionStatus> statuses, DateTimeOffset now, TimeSpan refresh, string scope)
    {
        var lines = new List<string>
        {
            $"Afml · {statuses.Count} session(s) · {scope} · {Iso(now)} · every {refresh.TotalSeconds.ToString("0.##", Inv)} s · Ctrl+C to quit",
        };
        if (statuses.Count == 0) lines.Add("  (no session)");
        foreach (var s in statuses)
        {
            lines.Add(new string('─', 60));
            lines.AddRange(Session(s, now));
        }
        return lines;
    }

    private IEnumerable<string> Session(SessionStatus s, DateTimeOffset now)
    {
        var where = s.Endpoint is { Length: > 0 } e ? $"{s.VenueKind ?? s.Venue} {e}" : (s.VenueKind ?? s.Venue);
        yield return $"{s.SessionId}  {s.State,-8} {s.TradingState,-7} {s.Symbol}  {where}  {s.TrainId}";

        var candle = s.LastCandle is { } lc ? Iso(lc) : "-";
        var next = "";
        if (s.LastCandle is { } last && intervalOf(s) is { } interval && SessionStateText.IsActive(s.State) && s.VenueKind != nameof(VenueKind.Replay))
        {
            // The next decision is at the close of the candle after the last one decided on.
            var left = last + interval + interval - now;
            next = left > TimeSpan.Zero ? $" · next in {Span(left)}" : " · next candle due";
        }
        yield return $"  step {s.Step.ToString(Inv)} · last candle {candle}{next} · price {Num(s.Price)}";

        var limit = s.MaxDrawdownAllowed;
        yield return $"  equity {Num(s.Equity)} · drawdown {Pct(s.Drawdown)} {Bar(s.Drawdown, limit)} limit {Pct(limit)}";

        var position = s.Position is { Length: > 0 } p ? $"{p} {s.PositionQuantity.ToString("0.######", Inv)}" : "flat";
        var unrealised = s.Equity - s.Balance; // equity = balance + unrealised PnL
        yield return $"  position {position} · unrealised {Signed(s.Position is { Length: > 0 } ? unrealised : 0)}";

        var error = Optional(s, "LastError") ?? LastRowError(s.RegistroPath);
        yield return $"  last action {(double.IsFinite(s.LastAction) ? s.LastAction.ToString("0.0000", Inv) : "-")} · operation {s.LastOperation ?? "-"} · error {error ?? "-"}";

        var ended = !SessionStateText.IsActive(s.State) && SessionStateText.ParseState(s.State) != Afml.Core.Session.SessionState.Stale;
        var health = ended ? $"ended {Iso(s.UpdatedAt)}"
            : s.HeartbeatAt is { } hb
            ? $"heartbeat {Span(now - hb)} ago (every {s.HeartbeatSeconds.ToString("0.#", Inv)} s)"
            : $"updated {Span(now - s.UpdatedAt)} ago";
        var connection = string.Join(" · ", ConnectionFields.Select(f => Optional(s, f) is { } v ? $"{Words(f)} {v}" : null).OfType<string>());
        yield return $"  health {health} · pid {s.ProcessId.ToString(Inv)}{(connection.Length > 0 ? " · " + connection : "")}";

        if (Guard(s) is { } guard) yield return guard;
        if (s.EmergencyState is { } es) yield return $"  emergency {es}{(string.IsNullOrEmpty(s.EmergencyOpen) ? "" : ": " + s.EmergencyOpen)}";
        if (s.StopReason is { Length: > 0 } why && !SessionStateText.IsActive(s.State)) yield return $"  stopped {why}";
    }

    /// <summary>The guard's line: the protective stop (price, distance, id), what keeps it from being placed, and the last
    /// mark price the monitor saw; null when the status carries none of them.</summary>
    private static string? Guard(SessionStatus s)
    {
        var parts = new List<string>();
        if (Optional(s, "ProtectiveStopPrice") is { } price)
        {
            var distance = Optional(s, "ProtectiveStopDistancePct") is { } d ? $" ({d} % away)" : "";
            var id = Optional(s, "ProtectiveStopId") is { } i ? $" {i}" : "";
            parts.Add($"protective stop {price}{distance}{id}");
        }
        if (Optional(s, "ProtectiveStopProblem") is { } problem) parts.Add($"problem: {problem}");
        if (Optional(s, "LastMarkPrice") is { } mark) parts.Add($"mark {mark}{(Optional(s, "LastMarkAt") is { } at ? " at " + at : "")}");
        return parts.Count > 0 ? "  guard " + string.Join(" · ", parts) : null;
    }

    /// <summary>A property this status may or may not have (added by newer engines), formatted invariantly.</summary>
    private static string? Optional(SessionStatus s, string name) =>
        PSObject.AsPSObject(s).Properties[name]?.Value switch
        {
            null => null,
            DateTimeOffset d => Iso(d),
            double d => Num(d),
            bool b => b ? "yes" : "no",
            IFormattable f => f.ToString(null, Inv),
            var v => v.ToString() is { Length: > 0 } t ? t : null,
        };

    /// <summary>"ProtectiveStopPrice" → "protective stop price".</summary>
    private static string Words(string name)
    {
        var b = new StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && b.Length > 0) b.Append(' ');
            b.Append(char.ToLowerInvariant(c));
        }
        return b.ToString();
    }

    /// <summary>The error column of the registro's last row (read from its tail, not the whole file).</summary>
    private static string? LastRowError(string? path)
    {
        try
        {
            if (path is null || !File.Exists(path)) return null;
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(f);
            var header = reader.ReadLine();
            if (header is null) return null;
            var column = Array.IndexOf(header.Split(','), "error");
            if (column < 0) return null;
            f.Seek(Math.Max(0, f.Length - 16384), SeekOrigin.Begin);
            var tail = new StreamReader(f).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (tail.Length == 0 || tail[^1] == header) return null;
            var fields = SplitCsv(tail[^1]);
            return column < fields.Count && fields[column].Length > 0 ? fields[column] : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var b = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { b.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else b.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(b.ToString()); b.Clear(); }
            else b.Append(c);
        }
        fields.Add(b.ToString());
        return fields;
    }

    /// <summary>The drawdown against its limit: full at the limit.</summary>
    internal static string Bar(double drawdown, double limit)
    {
        var share = limit > 0 && double.IsFinite(drawdown) ? Math.Clamp(drawdown / limit, 0, 1) : 0;
        var filled = (int)Math.Round(share * BarWidth, MidpointRounding.AwayFromZero);
        return "[" + new string('█', filled) + new string('░', BarWidth - filled) + "]";
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Inv);
    private static string Num(double v) => double.IsFinite(v) ? v.ToString("0.00", Inv) : "-";
    private static string Signed(double v) => double.IsFinite(v) ? v.ToString("+0.00;-0.00;0.00", Inv) : "-";
    private static string Pct(double v) => double.IsFinite(v) ? (v * 100).ToString("0.00", Inv) + "%" : "-";

    private static string Span(TimeSpan t)
    {
        if (t < TimeSpan.Zero) t = TimeSpan.Zero;
        return t.TotalHours >= 1
            ? $"{((int)t.TotalHours).ToString(Inv)}h{t.Minutes.ToString("00", Inv)}m"
            : t.TotalMinutes >= 1 ? $"{t.Minutes.ToString(Inv)}m{t.Seconds.ToString("00", Inv)}s" : $"{t.TotalSeconds.ToString("0.0", Inv)}s";
    }
}
