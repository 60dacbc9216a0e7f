namespace Afml.Core.Agent.Sb3;

/// <summary>A float32 tensor from a state dict, materialised in C order.</summary>
public sealed record TorchTensor(long[] Shape, float[] Values)
{
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
