namespace Afml.Core.Agent.Pickle;

/// <summary>A PyTorch storage named by a persistent id in <c>data.pkl</c>; its bytes live in <c>data/&lt;Key&gt;</c>.</summary>
public sealed record TorchStorageRef(string StorageType, string Key, string Location, long ElementCount);
