namespace Afml.Core.Agent;

/// <summary>One check of <see cref="TrainingInspector"/>: what was checked, how it went, and why.</summary>
public sealed record TrainingCheck(string Name, TrainingCheckStatus Status, string Message, string? ErrorId = null)
{
    public bool Passed => Status != TrainingCheckStatus.Failed;
}
