using System.Text;

namespace Afml.Core.Agent.Pickle;

/// <summary>Our own stand-ins for the few Python callables that numpy, collections and torch pickles use to
/// rebuild plain data. Each builds an inert value from its arguments; none can reach anything else.</summary>
public static class PickleFunctions
{
    /// <summary>numpy arrays (both the numpy 1.x <c>numpy.core</c> and 2.x <c>numpy._core</c> spellings),
    /// numpy scalars, dtypes, and <c>_codecs.encode</c> (how protocol 2 pickles bytes).</summary>
    public static PickleAllowList WithNumpy(this PickleAllowList list)
    {
        foreach (var core in new[] { "numpy.core", "numpy._core" })
        {
            list = list
                .WithFunction(core + ".multiarray._reconstruct", _ => new NdArray())
                .WithFunction(core + ".multiarray.scalar", Scalar)
                .WithFunction(core + ".numeric._frombuffer", FromBuffer);
        }
        return list
            .WithFunction("numpy.dtype", args => new NumpyDType(Arg<string>(args, 0, "numpy.dtype")))
            .WithFunction("_codecs.encode", Encode)
            .WithNames("numpy.ndarray");
    }

    /// <summary>What <c>torch.save</c>'s <c>data.pkl</c> of a state dict uses.</summary>
    public static PickleAllowList WithTorch(this PickleAllowList list) => list
        .WithFunction("collections.OrderedDict", args => args.Count == 0 ? new Dictionary<object, object?>() : throw new PickleFormatException("collections.OrderedDict called with arguments"))
        .WithFunction("torch._utils._rebuild_tensor_v2", RebuildTensor)
        .WithNames("torch.FloatStorage", "torch.DoubleStorage", "torch.HalfStorage", "torch.LongStorage", "torch.IntStorage",
            "torch.BoolStorage", "torch.ByteStorage", "torch.BFloat16Storage");

    private static T Arg<T>(IReadOnlyList<object?> args, int i, string what) =>
        i < args.Count && args[i] is T t ? t : throw new PickleFormatException($"{what}: argument {i} is {Describe(args, i)}, expected {typeof(T).Name}");

    private static string Describe(IReadOnlyList<object?> args, int i) => i < args.Count ? args[i]?.GetType().Name ?? "None" : "missing";

    private static object Encode(IReadOnlyList<object?> args)
    {
        var text = Arg<string>(args, 0, "_codecs.encode");
        var encoding = args.Count > 1 ? Arg<string>(args, 1, "_codecs.encode") : "utf-8";
        if (encoding is not ("latin1" or "latin-1"))
            throw new PickleFormatException($"_codecs.encode with encoding '{encoding}'");
        return Encoding.Latin1.GetBytes(text);
    }

    private static object? Scalar(IReadOnlyList<object?> args)
    {
        var dtype = Arg<NumpyDType>(args, 0, "numpy scalar");
        var raw = Arg<byte[]>(args, 1, "numpy scalar");
        var array = new NdArray { DType = dtype, Raw = raw, Shape = [] };
        if (dtype.Kind is 'f')
            return array.ToDoubles() is [var d] ? d : throw new PickleFormatException($"numpy scalar {dtype} with {raw.Length} bytes");
        if (dtype.Kind is 'i' or 'u' && dtype.ItemSize is 1 or 2 or 4 or 8 && raw.Length == dtype.ItemSize)
        {
            Span<byte> b = stackalloc byte[8];
            b.Clear();
            raw.CopyTo(b);
            if (dtype.IsBigEndian) { b[..raw.Length].Reverse(); }
            var v = BitConverter.ToInt64(b);
            if (dtype.Kind == 'i' && raw.Length < 8)
            {
                var shift = 64 - 8 * raw.Length;
                v = (v << shift) >> shift;
            }
            return v;
        }
        if (dtype.Kind == 'b' && raw.Length == 1) return raw[0] != 0;
        throw new PickleFormatException($"numpy scalar of dtype {dtype} is not supported");
    }

    private static object FromBuffer(IReadOnlyList<object?> args)
    {
        var raw = Arg<byte[]>(args, 0, "numpy _frombuffer");
        var dtype = Arg<NumpyDType>(args, 1, "numpy _frombuffer");
        var shape = Arg<object?[]>(args, 2, "numpy _frombuffer").Select(ToInt).ToArray();
        var order = args.Count > 3 ? args[3] as string : "C";
        return new NdArray { Raw = raw, DType = dtype, Shape = shape, Fortran = order == "F" };
    }

    private static object? RebuildTensor(IReadOnlyList<object?> args)
    {
        var storage = Arg<TorchStorageRef>(args, 0, "_rebuild_tensor_v2");
        var offset = Arg<long>(args, 1, "_rebuild_tensor_v2");
        var size = Arg<object?[]>(args, 2, "_rebuild_tensor_v2").Select(x => (long)ToInt(x)).ToArray();
        var stride = Arg<object?[]>(args, 3, "_rebuild_tensor_v2").Select(x => (long)ToInt(x)).ToArray();
        if (size.Length != stride.Length) throw new PickleFormatException($"tensor with size [{string.Join(", ", size)}] but stride [{string.Join(", ", stride)}]");
        return new TorchTensorRef(storage, offset, size, stride);
    }

    internal static int ToInt(object? x) => x is long l && l is >= 0 and <= int.MaxValue
        ? (int)l
        : throw new PickleFormatException($"expected a non-negative int, got {x ?? "None"}");
}
