namespace Afml.Core.Agent;

/// <summary>A fitted scikit-learn <c>StandardScaler</c>: per-feature mean and scale, in the trainer's feature order.</summary>
public sealed record StandardScalerParams(
    IReadOnlyList<string> FeatureNames,
    double[] Mean,
    double[] Scale,
    double[]? Var = null,
    long? NSamplesSeen = null)
{
    public int FeatureCount => FeatureNames.Count;
}
