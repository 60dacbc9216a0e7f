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

    private static TrainingConfig Parse(YamlMap y, string trainId, string file)
    {
        var dl = y.Map("data_downloader");
        var intervalText = dl.String("interval");
        if (!CandleInterval.TryParse(intervalText, out var interval))
            throw new AfmlException("ConfigValueInvalid", AfmlErrorCategory.InvalidData,
                $"{file}: 'data_downloader.interval' = '{intervalText}' is not a Binance kline interval.", "data_downloader.interval");
        var market = new MarketSettings(dl.String("symbol").ToUpperInvariant(), interval, dl.OptionalString("limit") is null ? 1500 : dl.PositiveInt("limit"));

        var pre = y.Map("preprocesamiento");
        var ind = pre.Map("indicadores");
        var indicators = new IndicatorSettings(
            ind.PositiveInt("SMA_short"), ind.PositiveInt("SMA_long"), ind.PositiveInt("RSI_length"),
            ind.PositiveInt("MACD_fast"), ind.PositiveInt("MACD_slow"), ind.PositiveInt("MACD_signal"),
            ind.PositiveInt("BB_length"), ind.Positive("BB_std"));
        var interpolation = pre.OptionalString("interpol_method") ?? "linear";
        if (interpolation != "linear")
            throw new AfmlException("ConfigValueInvalid", AfmlErrorCategory.InvalidData,
                $"{file}: 'preprocesamiento.interpol_method' = '{interpolation}' is not supported (only 'linear', as the trainer uses).", "preprocesamiento.interpol_method");

        var pf = y.Map("portafolio");
        var portfolio = new PortfolioConfig(
            pf.Positive("capital_inicial"), pf.Positive("apalancamiento"),
            pf.Check("comision", pf.Double("comision"), v => v is >= 0 and < 1, "in [0, 1)"),
            pf.Check("slippage", pf.Double("slippage"), v => v is >= 0 and < 1, "in [0, 1)"));

        var env = y.Map("entorno");
        var environment = new EnvironmentConfig(
            env.PositiveInt("window_size"),
            env.Check("max_drawdown_permitido", env.Double("max_drawdown_permitido"), v => v is > 0 and <= 1, "in (0, 1]"),
            env.Check("umbral_mantener_posicion", env.Double("umbral_mantener_posicion"), v => v is >= 0 and < 1, "in [0, 1)"),
            env.Bool("normalizar_portfolio"));

        var sac = y.Map("SACmodel");
        var layers = new List<int>();
        try { layers.AddRange(y.Map("policy_kwargs").Map("net_arch").OptionalIntList("pi")); }
        catch (AfmlException ex) when (ex.ErrorId == "ConfigKeyMissing") { /* net_arch as a plain list or absent: informational only */ }
        var policy = new PolicyConfig(sac.String("policy"), layers);

        return new TrainingConfig(trainId, market, indicators, interpolation, portfolio, environment, policy);
    }
}
