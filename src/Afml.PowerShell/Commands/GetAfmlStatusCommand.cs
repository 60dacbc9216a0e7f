using System.Management.Automation;
using Afml.Core;
using Afml.Core.Configuration;
using Afml.Core.Session;

namespace Afml.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Shows the state of sessions, running or finished, from any shell.</para>
/// <para type="description">Reads the sesion_*.status.json files a session keeps next to its registro. A session
/// counts as running only while its process (same PID and process start time) lives and its heartbeat is fresh; one
/// that still says Running without that is shown as Stale, with the position it left (Invoke-AfmlEmergency closes it).
/// By default running and stale sessions; -All includes finished ones. A -TrainingRoot that does not exist is an error
/// (TrainingRootNotFound); -TrainId is validated as in Start-AfmlSession. Unreadable status files are skipped with a
/// warning. -Watch shows them as a live board refreshed in place (like top) until Ctrl+C; without it the objects are
/// returned for scripts.</para>
/// </summary>
/// <example>
/// <code>Get-AfmlStatus -All</code>
/// <para>Every session under ./entrenamientos, running, stale or finished, with its step, equity, drawdown and position.</para>
/// </example>
/// <example>
/// <code>Get-AfmlStatus -Watch -Interval 1</code>
/// <para>A live board of every running session, refreshed each second until Ctrl+C: price, equity, drawdown against its limit, position and unrealised PnL, last operation, heartbeat.</para>
/// </example>
/// <example>
/// <code>Get-AfmlStatus -TrainingRoot ./entrenamientos | Where-Object State -eq Stale | Invoke-AfmlEmergency -Force</code>
/// <para>Closes what sessions that died left open; the pipeline keeps the training root.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "AfmlStatus")]
[OutputType(typeof(SessionStatus))]
public sealed class GetAfmlStatusCommand : AfmlTrainingCmdlet
{
    /// <summary>Only sessions of this training; default every training under -TrainingRoot.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TrainIdCompleter))]
    public string? TrainId { get; set; }

    /// <summary>Include finished sessions (stopped, halted, failed), not only running and stale ones.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary>Only this session (its id, e.g. 20261125_101500).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RunningSessionCompleter))]
    public string? SessionId { get; set; }

    /// <summary>A live view refreshed in place, like top, until Ctrl+C: per session its state, venue and endpoint,
    /// step, last candle and time to the next, price, equity, drawdown against its limit (a bar), position and
    /// unrealised PnL, last action/operation/error, heartbeat, and the guard's fields when the session has them.
    /// Writes to the host, not the pipeline.</summary>
    [Parameter]
    public SwitchParameter Watch { get; set; }

    /// <summary>With -Watch: seconds between refreshes.</summary>
    [Parameter]
    [ValidateRange(0.05, 3600)]
    public double Interval { get; set; } = 2;

    /// <summary>With -Watch: stop after this many refreshes (scripts, tests); default until Ctrl+C.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Count { get; set; }

    protected override void ProcessRecord()
    {
        var root = FullPath(TrainingRoot);
        if (!Directory.Exists(root))
            ThrowAfml(new AfmlException("TrainingRootNotFound", AfmlErrorCategory.ObjectNotFound,
                $"Training root '{root}' does not exist (pass -TrainingRoot, or run from the folder that contains entrenamientos/).", root));
        if (!Watch)
        {
            foreach (var s in Collect(root, WriteWarning)) WriteObject(s);
            return;
        }
        WatchLoop(root);
    }

    /// <summary>-Watch: frames to the host until Ctrl+C (or -Count). In place (cursor home, clear to end) on a
    /// terminal; one frame after another when the output is redirected.</summary>
    private void WatchLoop(string root)
    {
        var refresh = TimeSpan.FromSeconds(Interval);
        var intervals = new Dictionary<string, TimeSpan?>(StringComparer.Ordinal);
        var board = new StatusBoard(s =>
        {
            if (!intervals.TryGetValue(s.TrainId, out var known))
            {
                try { known = TimeSpan.FromMilliseconds(TrainingConfigLoader.Load(TrainingFolder.Open(root, s.TrainId)).Market.Interval.Milliseconds); }
                catch (AfmlException) { known = null; }
                intervals[s.TrainId] = known;
            }
            return known;
        });
        var scope = SessionId is not null ? $"session {SessionId}" : TrainId is not null ? TrainId : All ? "all sessions" : "running sessions";
        var inPlace = !Console.IsOutputRedirected && Host.UI.SupportsVirtualTerminal;
        var warned = false;
        var frames = 0;
        try
        {
            if (inPlace) Host.UI.Write("\u001b[?25l\u001b[H\u001b[2J");
            while (true)
            {
                var statuses = Collect(root, warned ? _ => { } : WriteWarning);
                warned = true;
                var lines = board.Render(statuses, DateTimeOffset.UtcNow, refresh, scope);
                if (inPlace)
                {
                    var frame = new System.Text.StringBuilder("\u001b[H");
                    foreach (var line in lines) frame.Append(line).Append("\u001b[K\n");
                    frame.Append("\u001b[J");
                    Host.UI.Write(frame.ToString());
                }
                else
                {
                    foreach (var line in lines) Host.UI.WriteLine(line);
                    Host.UI.WriteLine();
                }
                if (Count is { } count && ++frames >= count) break;
                try { Task.Delay(refresh, StopToken).GetAwaiter().GetResult(); }
                catch (OperationCanceledException) { break; }
            }
        }
        finally
        {
            if (inPlace) Host.UI.Write("\u001b[?25h");
        }
    }

    private List<SessionStatus> Collect(string root, Action<string> warn)
    {
        IEnumerable<string> ids;
        if (TrainId is null) ids = TrainingFolder.List(root);
        else
        {
            try { ids = [TrainingFolder.Open(root, TrainId).TrainId]; }
            catch (AfmlException ex) { WriteAfmlError(ex); return []; }
        }
        var statuses = new List<SessionStatus>();
        foreach (var id in ids)
        {
            var dir = Path.Combine(root, id, TrainingFolder.ProductionDirName);
            if (!Directory.Exists(dir)) continue;
            foreach (var file in Directory.EnumerateFiles(dir, "sesion_*.status.json"))
            {
                try
                {
                    var s = SessionStatusLiveness.Resolve(SessionStatusFile.Read(file)) with { TrainingRoot = root };
                    if (SessionId is not null && s.SessionId != SessionId) continue;
                    if (All || SessionId is not null || SessionStateText.IsActive(s.State) || SessionStateText.ParseState(s.State) == Afml.Core.Session.SessionState.Stale) statuses.Add(s);
                }
                catch (AfmlException ex)
                {
                    warn($"Skipped {file}: {ex.Message}");
                }
            }
        }
        return statuses.OrderByDescending(s => s.StartedAt).ToList();
    }
}
