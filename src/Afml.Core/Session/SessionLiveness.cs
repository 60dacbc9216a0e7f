using System.Diagnostics;

namespace Afml.Core.Session;

/// <summary>A process as the status file names it: its id and its start time (a reused PID has another one).</summary>
public sealed record ProcessIdentity(int ProcessId, DateTimeOffset? StartedAt)
{
    public static ProcessIdentity Current()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return new ProcessIdentity(Environment.ProcessId, SystemProcessProbe.StartTime(self));
    }
}

/// <summary>Looks a process up by id.</summary>
public interface IProcessProbe
{
    /// <summary>Whether a process with this id exists, and its start time when the system tells it.</summary>
    (bool Exists, DateTimeOffset? StartedAt) Find(int processId);
}

/// <summary>The operating system's process table.</summary>
public sealed class SystemProcessProbe : IProcessProbe
{
    public (bool Exists, DateTimeOffset? StartedAt) Find(int processId)
    {
        try
        {
            using var p = Process.GetProcessById(processId);
            return p.HasExited ? (false, null) : (true, StartTime(p));
        }
        catch (ArgumentException) { return (false, null); }
        catch (InvalidOperationException) { return (false, null); }
    }

    internal static DateTimeOffset? StartTime(Process p)
    {
        try { return new DateTimeOffset(p.StartTime.ToUniversalTime(), TimeSpan.Zero); }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException) { return null; }
    }
}

/// <summary>Why a status that says Running is, or is not, a live session.</summary>
public enum LivenessVerdict
{
    /// <summary>Not Running/Starting: nothing to decide.</summary>
    Finished,
    Alive,
    /// <summary>No process with that id.</summary>
    ProcessGone,
    /// <summary>A process with that id, started at another time: the PID was reused.</summary>
    PidReused,
    /// <summary>The process exists but the heartbeat stopped (hung, suspended, or a status without one).</summary>
    HeartbeatStale,
}

/// <summary>
/// "Is this session alive": the PID exists, it is the same process (its start time matches the one the session
/// wrote) and the heartbeat is fresh (younger than the heartbeat period plus <see cref="Margin"/>). Anything else
/// that still says Running is <see cref="SessionState.Stale"/>, with the position it left.
/// </summary>
public sealed class SessionLiveness(TimeProvider time, IProcessProbe probe, TimeSpan? margin = null)
{
    /// <summary>How late a heartbeat may be beyond its period before the session counts as stale.</summary>
    public TimeSpan Margin { get; } = margin ?? TimeSpan.FromSeconds(10);

    /// <summary>Start times read at different moments differ by rounding; a reused PID differs by far more.</summary>
    private static readonly TimeSpan StartTimeTolerance = TimeSpan.FromSeconds(2);

    public static SessionLiveness System { get; } = new(TimeProvider.System, new SystemProcessProbe());

    public LivenessVerdict Check(SessionStatus s)
    {
        if (!SessionStateText.IsActive(s.State)) return LivenessVerdict.Finished;
        var (exists, started) = probe.Find(s.ProcessId);
        if (!exists) return LivenessVerdict.ProcessGone;
        if (s.ProcessStartedAt is { } recorded && started is { } actual && (actual - recorded).Duration() > StartTimeTolerance)
            return LivenessVerdict.PidReused;
        if (s.HeartbeatAt is { } beat)
        {
            var period = s.HeartbeatSeconds > 0 ? TimeSpan.FromSeconds(s.HeartbeatSeconds) : StatusHeartbeat.DefaultPeriod;
            if (time.GetUtcNow() - beat > period + Margin) return LivenessVerdict.HeartbeatStale;
        }
        return LivenessVerdict.Alive;
    }

    /// <summary>The status as it really is: a Running one that is not alive becomes <see cref="SessionState.Stale"/>.</summary>
    public SessionStatus Resolve(SessionStatus s)
    {
        var verdict = Check(s);
        if (verdict is LivenessVerdict.Alive or LivenessVerdict.Finished) return s;
        var why = verdict switch
        {
            LivenessVerdict.ProcessGone => $"process {s.ProcessId} exited without closing the session",
            LivenessVerdict.PidReused => $"process {s.ProcessId} is another process now (PID reused): the session's process is gone",
            _ => $"no heartbeat since {s.HeartbeatAt:O} (process {s.ProcessId} hung or suspended)",
        };
        return s with { State = SessionState.Stale.ToText(), StopReason = s.StopReason ?? why };
    }
}

/// <summary>Keeps a session's status file's heartbeat fresh on a timer, also while the session waits for a candle.
/// A failed write (disk full) is skipped: the next one tries again, and the session's own writes go on.</summary>
public sealed class StatusHeartbeat : IDisposable
{
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromSeconds(5);

    private readonly SessionStatusFile _file;
    private readonly ITimer _timer;

    public StatusHeartbeat(SessionStatusFile file, TimeProvider time)
    {
        _file = file;
        _timer = time.CreateTimer(_ => Beat(), null, file.HeartbeatPeriod, file.HeartbeatPeriod);
    }

    /// <summary>Failed writes so far.</summary>
    public int Failures { get; private set; }

    private void Beat()
    {
        try { _file.Touch(); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { Failures++; }
    }

    public void Dispose() => _timer.Dispose();
}
