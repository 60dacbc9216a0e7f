using System.Collections.ObjectModel;
using System.Management.Automation;
using Afml.Core;
using Afml.Core.Analysis;
using Afml.Core.Recording;

namespace Afml.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Reads registro_*.csv files (Afml's or the Python system's) as typed step objects.</para>
/// <para type="description">Numbers, booleans and DateTimeOffset (UTC) values, one object per step. Each row carries
/// the SessionId of its file (the registro_YYYYMMDD_HHMMSS stamp) and its SourcePath, so rows read from several
/// files never mix: group, filter or measure them per session.</para>
/// <para type="link">Measure-AfmlRegistro</para>
/// <para type="link">Export-AfmlChart</para>
/// <para type="link">Start-AfmlSession</para>
/// </summary>
/// <example>
/// <code>Get-ChildItem ./entrenamientos/$id/produccion/registro_*.csv | Import-AfmlRegistro | Group-Object Operacion</code>
/// <para>Reads every registro of a training as typed rows and counts the operations.</para>
/// </example>
/// <example>
/// <code>$summary = Start-AfmlSession -TrainId $id -Replay ./candles.csv -Quiet; $summary | Import-AfmlRegistro | Where-Object Operacion -eq cierre_completo</code>
/// <para>The full closes of the session just run (the summary's RegistroPath binds to -Path).</para>
/// </example>
[Cmdlet(VerbsData.Import, "AfmlRegistro")]
[OutputType(typeof(RegistroRow))]
public sealed class ImportAfmlRegistroCommand : AfmlCmdlet
{
    /// <summary>registro_*.csv files (wildcards allowed); from the pipeline as paths, Get-ChildItem output
    /// (FullName/PSPath) or Start-AfmlSession's summary (RegistroPath).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath", "RegistroPath")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (var file in ResolveFiles(Path, "RegistroNotFound"))
        {
            var sessionId = RegistroSource.SessionIdOf(file);
            try
            {
                foreach (var row in RegistroReader.Read(file, WriteWarning)) // [guard] a cut last line: warning, row skipped
                {
                    StopToken.ThrowIfCancellationRequested();
                    WriteObject(row with { SessionId = sessionId, SourcePath = file });
                }
            }
            catch (AfmlException ex)
            {
                WriteAfmlError(ex);
            }
        }
    }
}
