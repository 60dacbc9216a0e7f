namespace Afml.Core.Agent;

public enum TrainingCheckStatus
{
    Passed,
    Failed,
    Skipped,
}
