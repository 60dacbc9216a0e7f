using System.Management.Automation;
using Afml.Core;
using Afml.Core.Analysis;
using Afml.Core.Recording;

namespace Afml.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Draws a session's registro as a PNG: equity and price over time, opens, closes and
/// emergencies marked.</para>
/// <para type="description">Reads registro_*.csv files (Afml's or the Python system's) and writes one chart per file,
/// by default next to it with the .png extension; returns the files written.</para>
/// </summary>
/// <example>
/// <code>Get-ChildItem ./entrenamientos/$id/produccion/registro_*.csv | Export-AfmlChart</code>
/// <para>One registro_*.png beside each registro.</para>
/// </example>
[Cmdlet(VerbsData.Export, "AfmlChart", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportAfmlChartCommand : AfmlCmdlet
{
    /// <summary>registro_*.csv files (wildcards allowed); from the pipeline as paths or Get-ChildItem output.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Where to write the PNG (one registro only); default the registro's path with .png.</summary>
    [Parameter]
    public string? OutFile { get; set; }

    /// <summary>Image width in pixels.</summary>
    [Parameter]
    [ValidateRange(200, 10000)]
    public int Width { get; set; } = 1400;

    /// <summary>Image height in pixels.</summary>
    [Parameter]
    [ValidateRange(200, 10000)]
    public int Height { get; set; } = 700;

    protected override void ProcessRecord()
    {
        var chart = new SessionChart(Width, Height);
        foreach (var file in ResolveFiles(Path, "RegistroNotFound"))
        {
            var target = OutFile is null ? System.IO.Path.ChangeExtension(file, ".png") : FullPath(OutFile);
            if (!ShouldProcess(target, $"Draw {System.IO.Path.GetFileName(file)}")) continue;
            try
            {
                chart.Save(RegistroReader.Read(file, WriteWarning).ToList(), target, System.IO.Path.GetFileNameWithoutExtension(file));
                WriteObject(new FileInfo(target));
            }
            catch (AfmlException ex)
            {
                WriteAfmlError(ex);
            }
        }
    }
}
