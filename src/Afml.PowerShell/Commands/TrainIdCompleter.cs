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
        var root = TrainingRoot(fakeBoundParameters);
        var prefix = wordToComplete.Trim('\'', '"');
        foreach (var id in TrainingFolder.List(root))
            if (id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                yield return new CompletionResult(id, id, CompletionResultType.ParameterValue, Path.Combine(root, id));
    }

    /// <summary>The -TrainingRoot being typed (default ./entrenamientos), relative to the shell's current location,
    /// which is not the process's working directory.</summary>
    internal static string TrainingRoot(IDictionary fakeBoundParameters)
    {
        var root = fakeBoundParameters.Contains("TrainingRoot") ? fakeBoundParameters["TrainingRoot"]?.ToString() : null;
        return Path.GetFullPath(root ?? "entrenamientos", CurrentLocation() ?? Environment.CurrentDirectory);
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

/// <summary>Completes <c>-SessionId</c> with the sessions of <c>-TrainId</c> that are running now.</summary>
public sealed class RunningSessionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var trainId = fakeBoundParameters.Contains("TrainId") ? fakeBoundParameters["TrainId"]?.ToString() : null;
        if (!TrainingFolder.IsValidTrainId(trainId)) yield break;
        var dir = Path.Combine(TrainIdCompleter.TrainingRoot(fakeBoundParameters), trainId!, TrainingFolder.ProductionDirName);
        if (!Directory.Exists(dir)) yield break;
        var prefix = wordToComplete.Trim('\'', '"');
        foreach (var file in Directory.EnumerateFiles(dir, "sesion_*.status.json").Order())
        {
            Afml.Core.Session.SessionStatus status;
            try { status = Afml.Core.Session.SessionStatusLiveness.Resolve(Afml.Core.Session.SessionStatusFile.Read(file)); }
            catch (Afml.Core.AfmlException) { continue; }
            if (Afml.Core.Session.SessionStateText.StateOf(status) != Afml.Core.Session.SessionState.Running || !status.SessionId.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) continue;
            yield return new CompletionResult(status.SessionId, status.SessionId, CompletionResultType.ParameterValue,
                $"{status.Venue} {status.Symbol} · paso {status.Step} · equity {status.Equity:F2}");
        }
    }
}
