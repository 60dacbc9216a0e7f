using System.Collections.ObjectModel;
using System.Management.Automation;
using Afml.Core;
using Afml.Core.Recording;

namespace Afml.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Reads registro_*.csv files (Afml's or the Python system's) as typed step objects.</para>
/// </summary>
/// <example>
/// <code>Get-ChildItem ./entrenamientos/$id/produccion/registro_*.csv | Import-AfmlRegistro | Group-Object Operacion</code>
/// <para>Reads every registro of a training as typed rows and counts the operations.</para>
/// </example>
[Cmdlet(VerbsData.Import, "AfmlRegistro")]
[OutputType(typeof(RegistroRow))]
public sealed class ImportAfmlRegistroCommand : AfmlCmdlet
{
    /// <summary>registro_*.csv files (wildcards allowed); from the pipeline as paths or Get-ChildItem output (FullName/PSPath).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (var file in ResolveFiles(Path, "RegistroNotFound"))
        {
            try
            {
                foreach (var row in RegistroReader.Read(file, WriteWarning)) // [guard] a cut last line: warning, row skipped
                {
                    StopToken.ThrowIfCancellationRequested();
                    WriteObject(row);
                }
            }
            catch (AfmlException ex)
            {
                WriteAfmlError(ex);
            }
        }
    }
}
