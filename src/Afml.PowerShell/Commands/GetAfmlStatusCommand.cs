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
/// warning.</para>
/// </summary>
/// <example>
/// <code>Get-AfmlStatus -All</code>
/// <para>Every session under ./entrenamientos, running, stale or finished, with its step, equity, drawdown and position.</para>
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

    protected override void ProcessRecord()
    {
        var root = FullPath(TrainingRoot);
        if (!Directory.Exists(root))
            ThrowAfml(new AfmlException("TrainingRootNotFound", AfmlErrorCategory.ObjectNotFound,
                $"Training root '{root}' does not exist (pass -TrainingRoot, or run from the folder that contains entrenamientos/).", root));
        IEnumerable<string> ids;
        if (TrainId is null) ids = TrainingFolder.List(root);
        else
        {
            try { ids = [TrainingFolder.Open(root, TrainId).TrainId]; }
            catch (AfmlException ex) { WriteAfmlError(ex); return; }
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
                    if (All || SessionStateText.IsActive(s.State) || SessionStateText.ParseState(s.State) == Afml.Core.Session.SessionState.Stale) statuses.Add(s);
                }
                catch (AfmlException ex)
                {
                    WriteWarning($"Skipped {file}: {ex.Message}");
                }
            }
        }
        foreach (var s in statuses.OrderByDescending(s => s.StartedAt)) WriteObject(s);
    }
}
