using System.Management.Automation;
using Afml.Core;
using Afml.Core.Agent.Sb3;
using Afml.Core.Configuration;

namespace Afml.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Converts a training's SB3 modelos/modelo.zip to the ONNX actor a session runs.</para>
/// <para type="description">Reads the zip without Python (nothing in it is executed) and writes
/// modelos/modelo.zip.onnx plus modelo.zip.onnx.sha256, the zip's fingerprint. Sessions do this on their own when a
/// training has no modelo.onnx; the cmdlet does it ahead of time. An up-to-date conversion is reused unless
/// -Force.</para>
/// <para type="link">Get-AfmlTraining</para>
/// <para type="link">Test-AfmlTraining</para>
/// </summary>
/// <example>
/// <code>ConvertTo-AfmlOnnx -TrainId $id -TrainingRoot ./samples/entrenamientos</code>
/// <para>Writes modelos/modelo.zip.onnx (or reports the cached conversion as up to date).</para>
/// </example>
/// <example>
/// <code>Get-AfmlTraining | ConvertTo-AfmlOnnx -WhatIf</code>
/// <para>Lists which trainings would be converted, converting nothing.</para>
/// </example>
[Cmdlet(VerbsData.ConvertTo, "AfmlOnnx", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ModelConversion))]
public sealed class ConvertToAfmlOnnxCommand : AfmlTrainingCmdlet
{
    /// <summary>The trainings to convert (folder names under -TrainingRoot); from the pipeline too, e.g. Get-AfmlTraining output.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TrainIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] TrainId { get; set; } = [];

    /// <summary>Convert even when the cached ONNX matches the zip.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var id in TrainId)
        {
            try
            {
                var folder = TrainingFolder.Open(FullPath(TrainingRoot), id);
                if (!ShouldProcess(folder.ZipPath, $"Convert to ONNX ({ModelZipConverter.CachePath(folder.ZipPath)})")) continue;
                WriteObject(ModelZipConverter.Convert(folder.ZipPath, Force));
            }
            catch (AfmlException ex)
            {
                WriteAfmlError(ex);
            }
        }
    }
}
