using System.Globalization;
using System.Text.RegularExpressions;
using Afml.Core.Configuration;
using Afml.Core.Session;

namespace Afml.Core.Analysis;

/// <summary>
/// What a registro's path says about it: the session id (the file name's stamp), and — when the file sits in
/// <c>entrenamientos/&lt;train_id&gt;/produccion/</c> — its training (symbol, interval, initial capital, drawdown
/// limit from <c>config_metadata.yaml</c>) and venue (from the session's status file). Everything is optional: a
/// registro copied anywhere else is still analysable, only less labelled.
/// </summary>
public sealed partial record RegistroSource
{
    public required string Path { get; init; }
    /// <summary>The stamp of <c>registro_YYYYMMDD_HHMMSS.csv</c> (the id <c>Get-AfmlStatus</c> shows), else the file name.</summary>
    public required string SessionId { get; init; }
    public string? TrainId { get; init; }
    public string? Symbol { get; init; }
    public string? Interval { get; init; }
    public string? Venue { get; init; }
    /// <summary><c>portafolio.capital_inicial</c> of the training.</summary>
    public double? InitialCapital { get; init; }
    /// <summary><c>entorno.max_drawdown_permitido</c> of the training (a fraction).</summary>
    public double? MaxDrawdownAllowed { get; init; }

    [GeneratedRegex(@"^registro_(?<stamp>\d{8}_\d{6})", RegexOptions.CultureInvariant)]
    private static partial Regex StampPattern();

    [GeneratedRegex(@"^train_(?<symbol>[A-Z0-9]+)_", RegexOptions.CultureInvariant)]
    private static partial Regex SymbolPattern();

    /// <summary>The session id of a registro file name (<c>registro_20261202_140728.csv</c> → <c>20261202_140728</c>).</summary>
    public static string SessionIdOf(string path)
    {
        var name = System.IO.Path.GetFileNameWithoutExtension(path);
        var m = StampPattern().Match(name);
        return m.Success ? m.Groups["stamp"].Value : name;
    }

    /// <summary>Reads what the registro's location tells; never fails on a missing or unreadable training (the
    /// registro alone is enough to analyse), <paramref name="warn"/> says why a label is missing.</summary>
    public static RegistroSource FromPath(string path, Action<string>? warn = null)
    {
        var full = System.IO.Path.GetFullPath(path);
        var source = new RegistroSource { Path = full, SessionId = SessionIdOf(full) };
        var production = System.IO.Path.GetDirectoryName(full);
        if (production is null || !string.Equals(System.IO.Path.GetFileName(production), TrainingFolder.ProductionDirName, StringComparison.Ordinal))
            return source;
        var trainingDir = System.IO.Path.GetDirectoryName(production)!;
        var trainId = System.IO.Path.GetFileName(trainingDir);
        var symbolMatch = SymbolPattern().Match(trainId);
        source = source with { TrainId = trainId, Symbol = symbolMatch.Success ? symbolMatch.Groups["symbol"].Value : null };
        var configPath = System.IO.Path.Combine(trainingDir, TrainingFolder.ConfigFileName);
        if (File.Exists(configPath))
        {
            try
            {
                var config = TrainingConfigLoader.Load(configPath, trainId);
                source = source with
                {
                    Symbol = config.Market.Symbol,
                    Interval = config.Market.Interval.Text,
                    InitialCapital = config.Portfolio.InitialCapital,
                    MaxDrawdownAllowed = config.Environment.MaxDrawdown,
                };
            }
            catch (AfmlException ex)
            {
                warn?.Invoke($"{ex.Message} (the registro is analysed without its training's settings)");
            }
        }
        var status = System.IO.Path.Combine(production, $"sesion_{source.SessionId}.status.json");
        if (File.Exists(status))
        {
            try { source = source with { Venue = SessionStatusFile.Read(status).Venue }; }
            catch (AfmlException) { /* a status file being replaced or from another version: the venue is a label only */ }
        }
        return source;
    }

    internal string Label => string.Join(" · ", new[] { TrainId, Symbol, Venue }.Where(s => !string.IsNullOrEmpty(s)));

    internal static string Format(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
