namespace Afml.Core.Agent;

/// <summary>What <c>Test-AfmlTraining</c> returns: every check on a training folder, failed ones included.</summary>
public sealed record TrainingReport(string TrainId, string Directory, string? ModelPath, string? ScalerPath, IReadOnlyList<TrainingCheck> Checks)
{
    /// <summary>True when no check failed (skipped checks do not fail a training).</summary>
    public bool Passed => Checks.All(c => c.Passed);

    public IEnumerable<TrainingCheck> Failures => Checks.Where(c => c.Status == TrainingCheckStatus.Failed);
}
