namespace Afml.Core.Agent.Sb3;

/// <summary>One key of the Dict observation space and its shape (without the batch axis).</summary>
public sealed record ObservationInput(string Name, int[] Shape)
{
    public int Length => Shape.Aggregate(1, (a, b) => a * b);
}
