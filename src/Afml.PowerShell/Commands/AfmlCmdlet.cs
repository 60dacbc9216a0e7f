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
