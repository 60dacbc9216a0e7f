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
        root = Path.GetFullPath(root ?? "entrenamientos");
        var prefix = wordToComplete.Trim('\'', '"');
        foreach (var id in TrainingFolder.List(root))
            if (id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                yield return new CompletionResult(id, id, CompletionResultType.ParameterValue, Path.Combine(root, id));
    }
}
