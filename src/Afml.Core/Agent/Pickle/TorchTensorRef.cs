namespace Afml.Core.Agent.Pickle;

/// <summary>A tensor as <c>torch._utils._rebuild_tensor_v2</c> describes it: a view (offset, size, stride) on a storage.</summary>
public sealed record TorchTensorRef(TorchStorageRef Storage, long Offset, long[] Size, long[] Stride)
{
    public long Count => Size.Aggregate(1L, (a, b) => a * b);
}
