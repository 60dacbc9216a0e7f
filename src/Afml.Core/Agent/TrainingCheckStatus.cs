namespace Afml.Core.Agent;

public enum TrainingCheckStatus
{
    Passed,
    Failed,
    Skipped,
    /// <summary>Usable, but something is odd (e.g. the config's train_id differs from the folder name).</summary>
    Warning,
}
