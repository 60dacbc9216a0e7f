namespace Afml.Core.Agent;

/// <summary>What <c>Get-AfmlTraining</c> shows about a training folder.</summary>
public sealed record TrainingDescription
{
    public required string TrainId { get; init; }
    public required string Path { get; init; }
    public required string Symbol { get; init; }
    public required string Interval { get; init; }
    public required int WindowSize { get; init; }
    public required double HoldThreshold { get; init; }
    public required double MaxDrawdown { get; init; }
    public required bool NormalizePortfolio { get; init; }
    public required double InitialCapital { get; init; }
    public required double Leverage { get; init; }
    public required double Commission { get; init; }
    public required double Slippage { get; init; }
    public required IReadOnlyList<string> Features { get; init; }
    public required string ModelPath { get; init; }
    public required string ScalerPath { get; init; }
    public required string ModelInputs { get; init; }
    public required IReadOnlyList<int> ActorLayers { get; init; }

    public static TrainingDescription Describe(string root, string trainId)
    {
        using var t = TrainingLoader.Load(root, trainId);
        var c = t.Config;
        var s = t.Policy.Shape;
        return new TrainingDescription
        {
            TrainId = trainId,
            Path = t.Folder.Directory,
            Symbol = c.Market.Symbol,
            Interval = c.Market.Interval.Text,
            WindowSize = c.Environment.WindowSize,
            HoldThreshold = c.Environment.HoldThreshold,
            MaxDrawdown = c.Environment.MaxDrawdown,
            NormalizePortfolio = c.Environment.NormalizePortfolio,
            InitialCapital = c.Portfolio.InitialCapital,
            Leverage = c.Portfolio.Leverage,
            Commission = c.Portfolio.Commission,
            Slippage = c.Portfolio.Slippage,
            Features = t.Scaler.FeatureNames,
            ModelPath = t.ModelPath,
            ScalerPath = t.ScalerPath,
            ModelInputs = $"market[{s.Window}x{s.Features}] + portfolio[{s.PortfolioSize}]",
            ActorLayers = c.Policy.ActorLayers,
        };
    }
}
