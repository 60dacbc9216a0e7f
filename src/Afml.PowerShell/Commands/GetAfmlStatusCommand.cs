using System.Management.Automation;
using Afml.Core;
using Afml.Core.Configuration;
using Afml.Core.Session;

namespace Afml.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Shows the state of sessions, running or finished, from any shell.</para>
/// <para type="description">Reads the sesion_*.status.json files a session keeps next to its registro. By default
/// only sessions still running; -All includes finished ones.</para>
/// </summary>
/// <example>
/// <code>Get-AfmlStatus -All</code>
/// <para>Every session under ./entrenamientos, running or finished, with its step, equity, drawdown and position.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "AfmlStatus")]
[OutputType(typeof(SessionStatus))]
public sealed class GetAfmlStatusCommand : AfmlTrainingCmdlet
{
    /// <summary>Only sessions of this training; default every training under -TrainingRoot.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TrainIdCompleter))]
    public string? TrainId { get; set; }

    /// <summary>Include finished sessions (stopped, halted, failed), not only running ones.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    protected override void ProcessRecord()
    {
        var root = FullPath(TrainingRoot);
        var ids = TrainId is null ? TrainingFolder.List(root) : [TrainId];
        var statuses = new List<SessionStatus>();
        foreach (var id in ids)
        {
            var dir = Path.Combine(root, id, TrainingFolder.ProductionDirName);
            if (!Directory.Exists(dir)) continue;
            foreach (var file in Directory.EnumerateFiles(dir, "sesion_*.status.json"))
            {
                try
                {
                    var s = SessionStatusLiveness.Resolve(SessionStatusFile.Read(file));
                    if (All || s.State == "Running") statuses.Add(s);
                }
                catch (AfmlException ex)
                {
                    WriteAfmlError(ex);
                }
            }
        }
        foreach (var s in statuses.OrderByDescending(s => s.StartedAt)) WriteObject(s);
    }
}
