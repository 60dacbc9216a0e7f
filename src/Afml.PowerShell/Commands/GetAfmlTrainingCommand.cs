using System.Management.Automation;
using Afml.Core;
using Afml.Core.Agent;
using Afml.Core.Configuration;

namespace Afml.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Describes training folders: symbol, interval, window, thresholds, features, model inputs.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "AfmlTraining")]
[OutputType(typeof(TrainingDescription))]
public sealed class GetAfmlTrainingCommand : AfmlTrainingCmdlet
{
    /// <summary>The trainings to describe (wildcards allowed); default every training under -TrainingRoot.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TrainIdCompleter))]
    [SupportsWildcards]
    public string[]? TrainId { get; set; }

    protected override void ProcessRecord()
    {
        var root = FullPath(TrainingRoot);
        var ids = TrainId is { Length: > 0 }
            ? TrainId.SelectMany(id => WildcardPattern.ContainsWildcardCharacters(id)
                ? TrainingFolder.List(root).Where(new WildcardPattern(id, WildcardOptions.IgnoreCase).IsMatch)
                : [id])
            : TrainingFolder.List(root);
        foreach (var id in ids)
        {
            try
            {
                WriteObject(TrainingDescription.Describe(root, id));
            }
            catch (AfmlException ex)
            {
                WriteAfmlError(ex);
            }
        }
    }
}
