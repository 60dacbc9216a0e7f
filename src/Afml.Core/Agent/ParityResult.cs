namespace Afml.Core.Agent;

/// <summary>How the loaded model did on a training's golden observations: the largest action difference and where.</summary>
public sealed record ParityResult(int Observations, double MaxDifference, int WorstStep, double Tolerance)
{
    public bool Passed => MaxDifference <= Tolerance;
}
