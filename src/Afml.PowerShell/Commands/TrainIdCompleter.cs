using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Afml.Core.Configuration;

namespace Afml.PowerShell.Commands;

/// <summary>Completes <c>-TrainId</c> with the trainings under <c>-TrainingRoot</c> (default ./entrenamientos).</summary>
public sealed class TrainIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var root = fakeBoundParameters.Contains("TrainingRoot") ? fakeBoundParameters["TrainingRoot"]?.ToString() : null;
        // Relative to the shell's current location, which is not the process's working directory.
        var here = CurrentLocation() ?? Environment.CurrentDirectory;
        root = Path.GetFullPath(root ?? "entrenamientos", here);
        var prefix = wordToComplete.Trim('\'', '"');
        foreach (var id in TrainingFolder.List(root))
            if (id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                yield return new CompletionResult(id, id, CompletionResultType.ParameterValue, Path.Combine(root, id));
    }

    /// <summary>The shell's file-system location, read through a nested pipeline (the session state proxy is
    /// off limits while the completion pipeline runs).</summary>
    private static string? CurrentLocation()
    {
        try
        {
            using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
            ps.AddCommand("Microsoft.PowerShell.Management\\Get-Location").AddParameter("PSProvider", "FileSystem");
            return ps.Invoke<PathInfo>().FirstOrDefault()?.ProviderPath;
        }
        catch (PSInvalidOperationException)
        {
            return null;
        }
    }
}
