using System.Buffers.Binary;
using System.Text;
using Afml.Core.Agent.Pickle;

namespace Afml.Core.Agent.Sb3;

/// <summary>
/// Reads a state dict saved by <c>torch.save</c> in the zip format (torch ≥ 1.6): <c>&lt;name&gt;/data.pkl</c>
/// (an OrderedDict of <c>_rebuild_tensor_v2</c> calls whose storages are persistent ids) and
/// <c>&lt;name&gt;/data/&lt;key&gt;</c> raw storages, little-endian unless <c>&lt;name&gt;/byteorder</c> says otherwise.
/// Only float32 tensors are materialised; nothing in <c>data.pkl</c> is executed.
/// </summary>
internal static class TorchStateDictReader
{
    private static readonly PickleAllowList Allowed = PickleAllowList.Empty.WithTorch();

    public static IReadOnlyDictionary<string, TorchTensor> Read(ZipEntries zip, string target)
    {
        var pkl = zip.Names.FirstOrDefault(n => n.EndsWith("/data.pkl", StringComparison.Ordinal) && n.Count(c => c == '/') == 1)
            ?? throw ZipEntries.Invalid(zip.Label, target, "no <name>/data.pkl: not a zip-format torch file (saved by torch < 1.6?)");
        var prefix = pkl[..^"data.pkl".Length];
        if (zip.TryGet(prefix + "byteorder", out var order) && Encoding.ASCII.GetString(order).Trim() != "little")
            throw ZipEntries.Invalid(zip.Label, target, $"byteorder is '{Encoding.ASCII.GetString(order).Trim()}'; only little-endian storages are supported");

        var reader = new PickleReader(zip.Get(pkl, target), 0, $"{zip.Label}:{pkl}", Allowed) { PersistentLoad = StorageRef };
        var root = reader.Load() as Dictionary<object, object?>
            ?? throw ZipEntries.Invalid(zip.Label, target, $"{pkl} does not hold a state dict");
        var tensors = new Dictionary<string, TorchTensor>(StringComparer.Ordinal);
        foreach (var (key, value) in root)
        {
            if (key is not string name || value is not TorchTensorRef t) continue;
            if (t.Storage.StorageType != "torch.FloatStorage") continue; // only float32 parameters matter to the actor
            tensors[name] = Materialise(zip, prefix, name, t, target);
        }
        return tensors;
    }

    private static object StorageRef(object? pid)
    {
        // ('storage', storage_type, key, location, numel)
        if (pid is object?[] { Length: 5 } t && t[0] is "storage" && t[1] is PyGlobal type && t[2] is string key && t[3] is string location && t[4] is long numel)
            return new TorchStorageRef(type.FullName, key, location, numel);
        throw new PickleFormatException("a persistent id that is not a torch storage");
    }

    private static TorchTensor Materialise(ZipEntries zip, string prefix, string name, TorchTensorRef t, string target)
    {
        var raw = zip.Get(prefix + "data/" + t.Storage.Key, target);
        if (raw.Length != t.Storage.ElementCount * 4)
            throw ZipEntries.Invalid(zip.Label, target, $"storage {t.Storage.Key} of '{name}' has {raw.Length} bytes for {t.Storage.ElementCount} float32 values");
        var count = t.Count;
        var values = new float[count];
        var index = new long[t.Size.Length];
        for (long n = 0; n < count; n++)
        {
            var at = t.Offset;
            for (var d = 0; d < index.Length; d++) at += index[d] * t.Stride[d];
            if (at < 0 || at >= t.Storage.ElementCount)
                throw ZipEntries.Invalid(zip.Label, target, $"tensor '{name}' reaches past its storage");
            values[n] = BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan((int)(at * 4), 4));
            for (var d = index.Length - 1; d >= 0; d--)
            {
                if (++index[d] < t.Size[d]) break;
                index[d] = 0;
            }
        }
        return new TorchTensor(t.Size, values);
    }
}
