using System.Management.Automation;
using Afml.Core;

namespace Afml.PowerShell.Commands;

/// <summary>
/// Shared plumbing: a cancellation source that Ctrl+C (<see cref="StopProcessing"/>) trips, and the mapping of
/// engine errors to ErrorRecords whose id is the engine's stable <see cref="AfmlException.ErrorId"/>.
/// </summary>
public abstract class AfmlCmdlet : PSCmdlet
{
    private CancellationTokenSource? _cts;

    protected CancellationToken StopToken => (_cts ??= new CancellationTokenSource()).Token;

    protected override void BeginProcessing() => _cts ??= new CancellationTokenSource();

    protected override void StopProcessing() => _cts?.Cancel();

    protected override void EndProcessing() => DisposeCancellation();

    protected void DisposeCancellation()
    {
        _cts?.Dispose();
        _cts = null;
    }

    /// <summary>Resolves a path against the current PowerShell location (not the process's working directory).</summary>
    protected string FullPath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>Files named by <paramref name="paths"/> (wildcards expanded against the current location); a pattern
    /// that matches nothing is a non-terminating <paramref name="notFoundErrorId"/> error.</summary>
    protected IEnumerable<string> ResolveFiles(IEnumerable<string> paths, string notFoundErrorId)
    {
        foreach (var p in paths)
        {
            IReadOnlyCollection<string> files;
            try
            {
                files = WildcardPattern.ContainsWildcardCharacters(p) ? GetResolvedProviderPathFromPSPath(p, out _) : [FullPath(p)];
            }
            catch (ItemNotFoundException ex)
            {
                WriteError(new ErrorRecord(ex, notFoundErrorId, ErrorCategory.ObjectNotFound, p));
                continue;
            }
            foreach (var file in files) yield return file;
        }
    }

    /// <summary>An error-level line (an emergency protocol's failed attempt, EMERGENCY_INCOMPLETE) in the host's error
    /// colours (red; stderr when redirected). A line on the host's UI, not an error record: a caller with
    /// $ErrorActionPreference = 'Stop' must not abort a cmdlet in the middle of an emergency protocol.</summary>
    protected void WriteErrorLine(string message)
    {
        if (Host?.UI is { } ui) ui.WriteErrorLine(message);
        else WriteWarning(message);
    }

    internal static ErrorRecord ToErrorRecord(AfmlException ex) =>
        new(ex, ex.ErrorId, Map(ex.Category), ex.Target);

    protected void ThrowAfml(AfmlException ex) => ThrowTerminatingError(ToErrorRecord(ex));

    protected void WriteAfmlError(AfmlException ex) => WriteError(ToErrorRecord(ex));

    private static ErrorCategory Map(AfmlErrorCategory c) => c switch
    {
        AfmlErrorCategory.ObjectNotFound => ErrorCategory.ObjectNotFound,
        AfmlErrorCategory.InvalidData => ErrorCategory.InvalidData,
        AfmlErrorCategory.InvalidArgument => ErrorCategory.InvalidArgument,
        AfmlErrorCategory.InvalidOperation => ErrorCategory.InvalidOperation,
        AfmlErrorCategory.AuthenticationError => ErrorCategory.AuthenticationError,
        AfmlErrorCategory.ConnectionError => ErrorCategory.ConnectionError,
        AfmlErrorCategory.OperationStopped => ErrorCategory.OperationStopped,
        AfmlErrorCategory.SecurityError => ErrorCategory.SecurityError,
        _ => ErrorCategory.NotSpecified,
    };
}

/// <summary>A cmdlet that works on trainings under a training root.</summary>
public abstract class AfmlTrainingCmdlet : AfmlCmdlet
{
    /// <summary>The folder that holds the trainings (entrenamientos/), relative to the current location; default
    /// ./entrenamientos, as the Python system expects.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string TrainingRoot { get; set; } = "entrenamientos";
}

/// <summary>A cmdlet that acts on one training named from the pipeline (Invoke-/Reset-AfmlEmergency): its TrainId and
/// TrainingRoot both bind by property name, so <c>Get-AfmlStatus -TrainingRoot $r | …</c> keeps the root.</summary>
public abstract class AfmlTrainingTargetCmdlet : AfmlCmdlet
{
    /// <summary>The training to act on (validated as in Start-AfmlSession: no path outside -TrainingRoot).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TrainIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string TrainId { get; set; } = "";

    /// <summary>The folder that holds the trainings, relative to the current location; default ./entrenamientos. Bound
    /// from Get-AfmlStatus's output, so a pipeline keeps the root it was listed from.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string TrainingRoot { get; set; } = "entrenamientos";

    /// <summary>Skip the confirmation (scripts). -WhatIf still only says what would happen.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The training's folder under the root; null after a non-terminating error (bad id, no such training).</summary>
    protected Afml.Core.Configuration.TrainingFolder? OpenTraining()
    {
        try { return Afml.Core.Configuration.TrainingFolder.Open(FullPath(TrainingRoot), TrainId); }
        catch (AfmlException ex) { WriteAfmlError(ex); return null; }
    }
}
