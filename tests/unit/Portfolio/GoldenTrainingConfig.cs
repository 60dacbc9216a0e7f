using System.Globalization;
using Afml.Core.Portfolio;
using YamlDotNet.RepresentationModel;

namespace Afml.Tests.Portfolio;

/// <summary>The few <c>config_metadata.yaml</c> values the portfolio tests need, read from the fixture.</summary>
internal sealed record GoldenTrainingConfig(PortfolioSettings Portfolio, double HoldThreshold, bool NormalizePortfolio,
    double MaxDrawdownAllowed)
{
    public static GoldenTrainingConfig Load(string trainingDir)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(Path.Combine(trainingDir, "config_metadata.yaml")))
            yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var portafolio = (YamlMappingNode)root["portafolio"];
        var entorno = (YamlMappingNode)root["entorno"];
        return new GoldenTrainingConfig(
            new PortfolioSettings(
                Number(portafolio, "capital_inicial"),
                Number(portafolio, "apalancamiento"),
                Number(portafolio, "comision"),
                Number(portafolio, "slippage")),
            Number(entorno, "umbral_mantener_posicion"),
            bool.Parse(((YamlScalarNode)entorno["normalizar_portfolio"]).Value!),
            Number(entorno, "max_drawdown_permitido"));
    }

    private static double Number(YamlMappingNode node, string key) =>
        double.Parse(((YamlScalarNode)node[key]).Value!, NumberStyles.Float, CultureInfo.InvariantCulture);
}
