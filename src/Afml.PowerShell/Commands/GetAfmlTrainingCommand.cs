using System.Management.Automation;
using Afml.Core;
using Afml.Core.Agent;
using Afml.Core.Configuration;

namespace Afml.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Describes training folders: symbol, interval, window, thresholds, features, model inputs.</para>
/// <para type="description">Reads each training's config_metadata.yaml and model files under -TrainingRoot; its
/// TrainId binds by property name to the other cmdlets (Test-AfmlTraining, ConvertTo-AfmlOnnx, Start-AfmlSession).</para>
/// <para type="link">Test-AfmlTraining</para>
/// <para type="link">Start-AfmlSession</para>
/// <para type="link">ConvertTo-AfmlOnnx</para>
/// </summary>
/// <example>
/// <code>Get-AfmlTraining -TrainingRoot ./samples/entrenamientos</code>
/// <para>One line per training: symbol, interval, window, feature count, drawdown limit and model inputs.</para>
/// </example>
/// <example>
/// <code>Get-AfmlTraining train_BTCUSDT_* | Test-AfmlTraining</code>
/// <para>Checks every BTCUSDT training the way a session start would.</para>
/// </example>
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
