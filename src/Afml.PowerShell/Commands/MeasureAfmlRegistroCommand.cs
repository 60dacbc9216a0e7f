using System.Management.Automation;
using Afml.Core;
using Afml.Core.Analysis;
using Afml.Core.Recording;

namespace Afml.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Measures sessions from their registros: return, max drawdown, Sharpe, Sortino, win rate,
/// profit factor, exposure, fees, trades and the action distribution.</para>
/// <para type="description">One result per session. Takes registro files (paths, Get-ChildItem output, the summary
/// Start-AfmlSession returns) or the rows Import-AfmlRegistro writes (grouped by their SessionId, so several files
/// never mix). Max drawdown is equity-based, from the running peak (the initial equity included). Sharpe and
/// Sortino are per candle interval (inferred from the timestamps) and annualised for 24/7 trading (365 days); the
/// risk-free rate is 0. A trade is a position from its open to its full close; its PnL is the equity after the
/// close minus the equity before the open, so fees are included. The initial equity is the training's
/// portafolio.capital_inicial when the registro sits in entrenamientos/&lt;id&gt;/produccion, else the first step's
/// equity, unless -InitialEquity. A registro without steps (a session that failed to start) is skipped with a
/// warning.</para>
/// <para type="link">Import-AfmlRegistro</para>
/// <para type="link">Export-AfmlChart</para>
/// <para type="link">Start-AfmlSession</para>
/// </summary>
/// <example>
/// <code>Get-ChildItem ./entrenamientos/$id/produccion/registro_*.csv | Measure-AfmlRegistro</code>
/// <para>One line per session: steps, span, return, max drawdown, annualised Sharpe and Sortino, win rate, profit factor.</para>
/// </example>
/// <example>
/// <code>Start-AfmlSession -TrainId $id -Replay ./candles.csv -Quiet | Measure-AfmlRegistro | Format-List</code>
/// <para>Runs a replay and measures the registro it wrote (the summary's RegistroPath binds to -Path).</para>
/// </example>
/// <example>
/// <code>Import-AfmlRegistro ./produccion/registro_*.csv | Where-Object Timestamp -ge '2025-02-01' | Measure-AfmlRegistro</code>
/// <para>Measures only the steps after a date, per session.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Measure, "AfmlRegistro", DefaultParameterSetName = RowSet)]
[OutputType(typeof(RegistroMetrics))]
public sealed class MeasureAfmlRegistroCommand : AfmlCmdlet
{
    private const string PathSet = "Path";
    private const string RowSet = "Row";
    private readonly Dictionary<string, (RegistroSource Source, List<RegistroRow> Rows)> _sessions = new(StringComparer.Ordinal);

    /// <summary>registro_*.csv files (wildcards allowed); from the pipeline as paths, Get-ChildItem output
    /// (FullName/PSPath) or Start-AfmlSession's summary (RegistroPath).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [Alias("FullName", "PSPath", "RegistroPath")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Rows from Import-AfmlRegistro (any subset, any order of sessions): measured per SessionId.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = RowSet)]
    public RegistroRow? InputObject { get; set; }

    /// <summary>The equity the session started with; default the training's portafolio.capital_inicial, else the
    /// first step's equity.</summary>
    [Parameter]
    [ValidateRange(1e-9, double.MaxValue)]
    public double? InitialEquity { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == RowSet)
        {
            if (InputObject is { } row)
            {
                var key = row.SourcePath ?? row.SessionId ?? "";
                if (!_sessions.TryGetValue(key, out var session))
                {
                    var source = row.SourcePath is { } p ? RegistroSource.FromPath(p, WriteWarning) : new RegistroSource { Path = "", SessionId = row.SessionId ?? "" };
                    _sessions[key] = session = (source, []);
                }
                session.Rows.Add(row);
            }
            return;
        }
        foreach (var file in ResolveFiles(Path, "RegistroNotFound"))
        {
            try
            {
                var rows = RegistroReader.Read(file, WriteWarning).ToList();
                StopToken.ThrowIfCancellationRequested();
                Measure(RegistroSource.FromPath(file, WriteWarning), rows);
            }
            catch (AfmlException ex)
            {
                WriteAfmlError(ex);
            }
        }
    }

    protected override void EndProcessing()
    {
        foreach (var (source, rows) in _sessions.Values)
        {
            rows.Sort((a, b) => a.Paso.CompareTo(b.Paso));
            Measure(source, rows);
        }
        base.EndProcessing();
    }

    private void Measure(RegistroSource source, List<RegistroRow> rows)
    {
        if (rows.Count == 0)
        {
            WriteWarning($"{source.Path}: the registro has no steps (the session failed before its first decision); skipped.");
            return;
        }
        try
        {
            WriteObject(RegistroMeasure.Measure(rows, source, InitialEquity));
        }
        catch (AfmlException ex)
        {
            WriteAfmlError(ex);
        }
    }
}
