using System.Management.Automation;
using Afml.Core;
using Afml.Core.Agent;

namespace Afml.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Checks a training folder the way a session start does and reports every check.</para>
/// <para type="description">Config, scaler (and scaler_train.pkl against scaler_train.json), model (modelo.onnx or
/// the converted modelo.zip), their consistency, and — when golden/ holds observations — that the model reproduces
/// the trainer's actions within 1e-5. Failed checks are in the report, not errors; a missing training is an
/// error.</para>
/// <para type="link">Get-AfmlTraining</para>
/// <para type="link">ConvertTo-AfmlOnnx</para>
/// <para type="link">Start-AfmlSession</para>
/// </summary>
/// <example>
/// <code>Test-AfmlTraining -TrainId $id -TrainingRoot ./samples/entrenamientos | Format-List</code>
/// <para>Every check with its status and message; Passed is False when any check failed.</para>
/// </example>
/// <example>
/// <code>Get-AfmlTraining | Test-AfmlTraining | Where-Object { -not $_.Passed }</code>
/// <para>The trainings under ./entrenamientos that a session would refuse to start.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "AfmlTraining")]
[OutputType(typeof(TrainingReport))]
public sealed class TestAfmlTrainingCommand : AfmlTrainingCmdlet
{
    /// <summary>The trainings to check (folder names under -TrainingRoot).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TrainIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] TrainId { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (var id in TrainId)
        {
            try
            {
                WriteObject(TrainingInspector.Inspect(FullPath(TrainingRoot), id));
            }
            catch (AfmlException ex)
            {
                WriteAfmlError(ex);
            }
        }
    }
}
