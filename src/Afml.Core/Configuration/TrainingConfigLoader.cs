using Afml.Core.Features;
using Afml.Core.MarketData;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Afml.Core.Configuration;

/// <summary>Reads and validates <c>config_metadata.yaml</c>.</summary>
public static class TrainingConfigLoader
{
    public static TrainingConfig Load(TrainingFolder folder) => Load(folder.ConfigPath, folder.TrainId);

    public static TrainingConfig Load(string path, string trainId)
    {
        if (!File.Exists(path))
            throw new AfmlException("ConfigNotFound", AfmlErrorCategory.ObjectNotFound,
                $"Configuración no encontrada: '{path}' does not exist; the training did not finish or the train id is wrong.", path);
        var file = Path.GetFileName(path);
        YamlMappingNode root;
        try
        {
            using var reader = new StreamReader(path);
            var stream = new YamlStream();
            stream.Load(reader);
            root = stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode m
                ? m
                : throw new AfmlException("ConfigInvalid", AfmlErrorCategory.InvalidData, $"{path}: the file is not a YAML mapping.", path);
        }
        catch (YamlException ex)
        {
            throw new AfmlException("ConfigInvalid", AfmlErrorCategory.InvalidData,
                $"{path}: invalid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {ex.InnerException?.Message ?? ex.Message}", path, ex);
        }
        return Parse(new YamlMap(root, path, ""), trainId, file);
    }

    /// <summary>The keys of <c>preprocesamiento.indicadores</c> the trainer reads; any other is a typo or an indicator
    /// the model never saw.</summary>
    public static IReadOnlyList<string> IndicatorKeys { get; } =
        ["SMA_short", "SMA_long", "RSI_length", "MACD_fast", "MACD_slow", "MACD_signal", "BB_length", "BB_std"];

    /// <summary>Binance's leverage range (the symbol's own bracket may allow less; the venue checks that at start).</summary>
    public const double MaxLeverage = 125;

    // A Binance USDT-M symbol: upper-case letters and digits (BTCUSDT, 1000PEPEUSDT), a delivery contract adds _YYMMDD.
    private static readonly System.Text.RegularExpressions.Regex SymbolShape = new("^[A-Z0-9]{2,20}(_[0-9]{6})?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static TrainingConfig Parse(YamlMap y, string trainId, string file)
    {
        var warnings = new List<string>();
        var dl = y.Map("data_downloader");
        var intervalText = dl.String("interval");
        if (!CandleInterval.TryParse(intervalText, out var interval))
        {
            if (intervalText.Length > 0)
                dl.Report(new AfmlException("ConfigValueInvalid", AfmlErrorCategory.InvalidData,
                    $"{file}: 'data_downloader.interval' = '{intervalText}' is not a Binance kline interval ({string.Join(", ", CandleInterval.BinanceIntervals)}) (line {dl.LineOf("interval")}).", "data_downloader.interval"));
            interval = CandleInterval.Parse("1h"); // placeholder: the load fails anyway
        }
        var symbol = dl.String("symbol").ToUpperInvariant();
        if (symbol.Length > 0 && !SymbolShape.IsMatch(symbol))
            dl.Invalid("symbol", "a Binance symbol (upper-case letters and digits, e.g. BTCUSDT)");
        var market = new MarketSettings(symbol, interval, dl.OptionalString("limit") is null ? 1500 : dl.PositiveInt("limit"));

        var pre = y.Map("preprocesamiento");
        var ind = pre.Map("indicadores");
        foreach (var (key, line) in ind.Keys)
            if (!IndicatorKeys.Contains(key, StringComparer.Ordinal))
                ind.Report(new AfmlException("ConfigKeyUnknown", AfmlErrorCategory.InvalidData,
                    $"{file}: '{ind.Qualified(key)}' (line {line}) is not an indicator the trainer computes; known: {string.Join(", ", IndicatorKeys)}.", ind.Qualified(key)));
        var indicators = new IndicatorSettings(
            ind.PositiveInt("SMA_short"), ind.PositiveInt("SMA_long"), ind.PositiveInt("RSI_length"),
            ind.PositiveInt("MACD_fast"), ind.PositiveInt("MACD_slow"), ind.PositiveInt("MACD_signal"),
            ind.PositiveInt("BB_length"), ind.Positive("BB_std"));
        var interpolation = pre.OptionalString("interpol_method") ?? "linear";
        if (interpolation != "linear")
            pre.Report(new AfmlException("ConfigValueInvalid", AfmlErrorCategory.InvalidData,
                $"{file}: 'preprocesamiento.interpol_method' = '{interpolation}' is not supported (only 'linear', as the trainer uses) (line {pre.LineOf("interpol_method")}).", "preprocesamiento.interpol_method"));

        var pf = y.Map("portafolio");
        var portfolio = new PortfolioConfig(
            pf.Positive("capital_inicial"),
            pf.Check("apalancamiento", pf.Double("apalancamiento"), v => v is >= 1 and <= MaxLeverage, "in [1, 125], Binance's leverage range"),
            pf.Check("comision", pf.Double("comision"), v => v is >= 0 and < 1, "in [0, 1)"),
            pf.Check("slippage", pf.Double("slippage"), v => v is >= 0 and < 1, "in [0, 1)"));

        var env = y.Map("entorno");
        var environment = new EnvironmentConfig(
            env.PositiveInt("window_size"),
            env.Check("max_drawdown_permitido", env.Double("max_drawdown_permitido"), v => v is > 0 and <= 1, "in (0, 1]"),
            env.Check("umbral_mantener_posicion", env.Double("umbral_mantener_posicion"), v => v is >= 0 and < 1, "in [0, 1)"),
            env.Bool("normalizar_portfolio"));

        var sac = y.Map("SACmodel");
        // net_arch as a plain list or absent: informational only
        var layers = y.OptionalMap("policy_kwargs")?.OptionalMap("net_arch")?.OptionalIntList("pi") ?? [];
        var policy = new PolicyConfig(sac.String("policy"), layers);

        // The trainer names the folder after train_id; a renamed or copied folder is legitimate (the files inside are
        // what is checked), so a difference is a warning, not a refusal.
        if (y.OptionalMap("metadata_execution")?.OptionalString("train_id") is { Length: > 0 } written && written != trainId)
            warnings.Add($"{file}: 'metadata_execution.train_id' is '{written}' but the folder is '{trainId}' (renamed or copied training?); the files in '{trainId}' are used.");

        if (y.Problems.Count == 1) throw y.Problems[0];
        if (y.Problems.Count > 1)
        {
            var first = y.Problems[0];
            throw new AfmlException(first.ErrorId, first.Category,
                $"{file} has {y.Problems.Count} problems:{Environment.NewLine}  - " + string.Join(Environment.NewLine + "  - ", y.Problems.Select(p => p.Message)),
                first.Target, new AggregateException(y.Problems));
        }
        return new TrainingConfig(trainId, market, indicators, interpolation, portfolio, environment, policy) { Warnings = warnings };
    }
}
