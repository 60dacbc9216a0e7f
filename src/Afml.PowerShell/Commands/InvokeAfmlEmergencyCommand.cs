using System.Management.Automation;
using Afml.Core;
using Afml.Core.Configuration;
using Afml.Core.Session;

namespace Afml.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Runs the emergency protocol on a running session: close every position, cancel every
/// order, record it, halt.</para>
/// <para type="description">Sends the request to the running session(s) of the training (from any shell); the
/// session executes it at its next step, writes the emergencias_*.csv row and stops. High impact: asks for
/// confirmation unless -Force.</para>
/// </summary>
/// <example>
/// <code>Invoke-AfmlEmergency -TrainId $id -Reason 'mercado anómalo' -Force</code>
/// <para>From another shell: the running session(s) of the training close everything, cancel orders, record the emergency and halt within a second.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Invoke, "AfmlEmergency", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ControlRequest))]
public sealed class InvokeAfmlEmergencyCommand : AfmlTrainingCmdlet
{
    /// <summary>The training whose running session(s) must run the emergency protocol.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TrainIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string TrainId { get; set; } = "";

    /// <summary>Only this session (its id, e.g. 20261125_101500); default: every running session of the training.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RunningSessionCompleter))]
    public string? SessionId { get; set; }

    /// <summary>Why: written into the emergencias CSV row and the session's stop reason.</summary>
    [Parameter]
    public string Reason { get; set; } = "solicitud manual";

    /// <summary>Skip the confirmation (scripts).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var dir = Path.Combine(FullPath(TrainingRoot), TrainId, TrainingFolder.ProductionDirName);
        var running = Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "sesion_*.status.json")
                .Select(f => (File: f, Status: SafeRead(f)))
                .Where(x => x.Status is { State: "Running" } && (SessionId is null || x.Status.SessionId == SessionId))
                .ToList()
            : [];
        if (running.Count == 0)
        {
            WriteError(new ErrorRecord(new InvalidOperationException($"No running session of '{TrainId}'{(SessionId is null ? "" : $" with id {SessionId}")} under '{dir}'."),
                "NoRunningSession", ErrorCategory.ObjectNotFound, TrainId));
            return;
        }
        foreach (var (file, status) in running)
        {
            var target = $"session {status!.SessionId} of {TrainId} ({status.Venue}, {status.Symbol})";
            if (!(Force || ShouldProcess(target, "Close all positions, cancel all orders and halt"))) continue;
            var request = new ControlRequest(ControlRequest.Emergency, Reason, DateTimeOffset.UtcNow, $"{Environment.UserName}@{Environment.MachineName}");
            SessionControl.Request(file, request);
            WriteObject(request);
        }
    }

    private SessionStatus? SafeRead(string file)
    {
        try { return SessionStatusLiveness.Resolve(SessionStatusFile.Read(file)); }
        catch (AfmlException ex) { WriteAfmlError(ex); return null; }
    }
}
