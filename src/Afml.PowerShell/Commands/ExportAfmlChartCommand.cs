using System.Management.Automation;
using Afml.Core;
using Afml.Core.Analysis;
using Afml.Core.Recording;

namespace Afml.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Draws sessions' registros as PNG charts: equity and price with every operation marked, and a
/// drawdown panel with the limit line.</para>
/// <para type="description">Reads registro_*.csv files (Afml's or the Python system's). Top panel: equity (left axis)
/// and price (right axis) over UTC time, opens, closes, increases, reductions and the emergency marked on the price
/// (thinned evenly in time when dense; the legend says how many are shown). Bottom panel: the drawdown from the
/// running equity peak and the limit line: max_drawdown_permitido of the training when the registro sits in
/// entrenamientos/&lt;id&gt;/produccion, else -MaxDrawdown. The title names training, symbol, venue, session, span and
/// return. One chart per registro (beside it, .png), or all registros in one chart with -Combine. Never replaces a
/// file silently: an existing chart is an error unless -Force, and -OutFile with several registros needs -Combine.
/// A registro without steps (a session that failed to start) is skipped with a warning. Returns the files
/// written.</para>
/// <para type="link">Measure-AfmlRegistro</para>
/// <para type="link">Import-AfmlRegistro</para>
/// <para type="link">Start-AfmlSession</para>
/// </summary>
/// <example>
/// <code>Get-ChildItem ./entrenamientos/$id/produccion/registro_*.csv | Export-AfmlChart</code>
/// <para>One registro_*.png beside each registro.</para>
/// </example>
/// <example>
/// <code>Start-AfmlSession -TrainId $id -Replay ./candles.csv -Quiet | Export-AfmlChart -OutFile ./replay.png -Force</code>
/// <para>Runs a replay and draws the registro it wrote (the summary's RegistroPath binds to -Path).</para>
/// </example>
/// <example>
/// <code>Get-ChildItem ./produccion/registro_*.csv | Export-AfmlChart -Combine -OutFile ./sesiones.png</code>
/// <para>Every session's equity and drawdown in one chart.</para>
/// </example>
[Cmdlet(VerbsData.Export, "AfmlChart", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportAfmlChartCommand : AfmlCmdlet
{
    private readonly List<string> _files = [];

    /// <summary>registro_*.csv files (wildcards allowed); from the pipeline as paths, Get-ChildItem output
    /// (FullName/PSPath) or Start-AfmlSession's summary (RegistroPath).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath", "RegistroPath")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Where to write the PNG: for one registro, or for all of them with -Combine. Default: each registro's
    /// path with .png; with -Combine, combinado_&lt;first&gt;_&lt;last&gt;.png beside the first registro.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    /// <summary>Draw every registro into one chart (equity and drawdown per session) instead of one chart each.</summary>
    [Parameter]
    public SwitchParameter Combine { get; set; }

    /// <summary>The drawdown limit line, as a fraction (0.25 = 25 %), for registros outside a training folder; default
    /// the training's entorno.max_drawdown_permitido, else no line.</summary>
    [Parameter]
    [ValidateRange(1e-9, 1.0)]
    public double? MaxDrawdown { get; set; }

    /// <summary>Replace charts that already exist.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Image width in pixels; default 1400.</summary>
    [Parameter]
    [ValidateRange(400, 10000)]
    public int Width { get; set; } = 1400;

    /// <summary>Image height in pixels; default 800.</summary>
    [Parameter]
    [ValidateRange(300, 10000)]
    public int Height { get; set; } = 800;

    protected override void ProcessRecord()
    {
        foreach (var file in ResolveFiles(Path, "RegistroNotFound"))
            if (!_files.Contains(file, StringComparer.Ordinal)) _files.Add(file);
    }

    protected override void EndProcessing()
    {
        try
        {
            if (OutFile is not null && !Combine && _files.Count > 1)
                ThrowAfml(new AfmlException("OutFileNeedsCombine", AfmlErrorCategory.InvalidArgument,
                    $"-OutFile names one file but {_files.Count} registros came in: add -Combine for one chart of all, or drop -OutFile for one chart beside each registro.",
                    OutFile));
            var chart = new SessionChart(Width, Height);
            if (Combine)
            {
                var series = _files.Select(Load).OfType<ChartSeries>().ToList();
                if (series.Count == 0) return;
                var target = OutFile is null
                    ? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(_files[0])!, $"combinado_{series[0].Source.SessionId}_{series[^1].Source.SessionId}.png")
                    : FullPath(OutFile);
                Draw(chart, series, target, $"Draw {series.Count} registros in one chart");
                return;
            }
            foreach (var file in _files)
            {
                if (Load(file) is not { } s) continue;
                var target = OutFile is null ? System.IO.Path.ChangeExtension(file, ".png") : FullPath(OutFile);
                Draw(chart, [s], target, $"Draw {System.IO.Path.GetFileName(file)}");
            }
        }
        finally
        {
            base.EndProcessing();
        }
    }

    private void Draw(SessionChart chart, IReadOnlyList<ChartSeries> series, string target, string action)
    {
        if (!ShouldProcess(target, action)) return;
        try
        {
            chart.Save(series, target, overwrite: Force);
            WriteObject(new FileInfo(target));
        }
        catch (AfmlException ex)
        {
            WriteAfmlError(ex);
        }
    }

    /// <summary>The registro as a series to draw; null (with a warning or an error) when it cannot be drawn.</summary>
    private ChartSeries? Load(string file)
    {
        try
        {
            var rows = RegistroReader.Read(file, WriteWarning).ToList();
            if (rows.Count == 0)
            {
                WriteWarning($"{file}: the registro has no steps (the session failed before its first decision); no chart drawn.");
                return null;
            }
            return ChartSeries.From(RegistroSource.FromPath(file, WriteWarning), rows, MaxDrawdown);
        }
        catch (AfmlException ex)
        {
            WriteAfmlError(ex);
            return null;
        }
    }
}
