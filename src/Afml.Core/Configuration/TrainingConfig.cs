using Afml.Core.Features;
using Afml.Core.MarketData;

namespace Afml.Core.Configuration;

/// <summary>
/// The trainer's <c>config_metadata.yaml</c>, typed and validated. Only what trading needs is required; the rest
/// of the file (SAC hyper-parameters, reward weights) is kept where useful and otherwise ignored.
/// </summary>
public sealed record TrainingConfig(
    string TrainId,
    MarketSettings Market,
    IndicatorSettings Indicators,
    string InterpolationMethod,
    PortfolioConfig Portfolio,
    EnvironmentConfig Environment,
    PolicyConfig Policy)
{
    /// <summary>What is odd but not wrong (e.g. <c>metadata_execution.train_id</c> differs from the folder name);
    /// a session shows these as warnings, Test-AfmlTraining in its report.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary><c>data_downloader</c>: the symbol and interval the model was trained on.</summary>
public sealed record MarketSettings(string Symbol, CandleInterval Interval, int Limit);

/// <summary><c>portafolio</c>.</summary>
public sealed record PortfolioConfig(double InitialCapital, double Leverage, double Commission, double Slippage);

/// <summary><c>entorno</c>: the keys the decision path uses.</summary>
public sealed record EnvironmentConfig(
    int WindowSize,
    double MaxDrawdown,
    double HoldThreshold,
    bool NormalizePortfolio);

/// <summary><c>SACmodel</c> / <c>policy_kwargs</c>, informational (the model files carry the real shapes).</summary>
public sealed record PolicyConfig(string PolicyName, IReadOnlyList<int> ActorLayers);
