namespace Afml.Core.Agent.Sb3;

/// <summary>A <c>torch.nn.Linear</c>: <c>y = x·Wᵀ + b</c>, W row-major [Outputs, Inputs], named as in the state dict.</summary>
public sealed record DenseLayer(string Name, int Inputs, int Outputs, float[] Weight, float[] Bias);
