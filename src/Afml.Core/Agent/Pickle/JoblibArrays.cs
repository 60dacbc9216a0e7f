namespace Afml.Core.Agent.Pickle;

/// <summary>
/// joblib's array framing: <c>joblib.dump</c> pickles a <c>NumpyArrayWrapper</c> (shape, order, dtype) and writes
/// the array right after its BUILD opcode — raw C-order bytes (preceded, in joblib ≥ 1.2, by one length byte and that
/// many alignment padding bytes) or, for object arrays, a nested pickle. The main pickle then resumes.
/// </summary>
public static class JoblibArrays
{
    public const string WrapperClass = "joblib.numpy_pickle.NumpyArrayWrapper";

    public static PickleAllowList WithJoblib(this PickleAllowList list) => list.WithClasses(WrapperClass).WithNumpy();

    /// <summary>The <see cref="PickleReader.AfterBuild"/> hook that swaps each wrapper for the array that follows it.</summary>
    public static object? ReadWrappedArray(PyObject wrapper, PickleReader reader)
    {
        if (wrapper.Type.FullName != WrapperClass) return wrapper;
        var state = wrapper.StateDict ?? throw new PickleFormatException("NumpyArrayWrapper without a state dict");
        var shape = (Get(state, "shape") as object?[] ?? throw new PickleFormatException("NumpyArrayWrapper.shape is not a tuple")).Select(PickleFunctions.ToInt).ToArray();
        var dtype = Get(state, "dtype") as NumpyDType ?? throw new PickleFormatException("NumpyArrayWrapper.dtype is not a numpy dtype");
        var order = Get(state, "order") as string ?? "C";
        var array = new NdArray { Shape = shape, DType = dtype, Fortran = order == "F" };
        if (dtype.IsObject)
        {
            var nested = reader.LoadNested() as NdArray ?? throw new PickleFormatException("the object array after a NumpyArrayWrapper is not an ndarray");
            if (nested.Objects is null || nested.Objects.Count != array.Count)
                throw new PickleFormatException($"object array holds {nested.Objects?.Count ?? 0} values for shape [{string.Join(", ", shape)}]");
            array.Objects = nested.Objects;
            return array;
        }
        if (dtype.ItemSize <= 0) throw new PickleFormatException($"dtype {dtype} has no item size");
        if (state.TryGetValue("numpy_array_alignment_bytes", out var align) && align is not null)
        {
            var padding = reader.ReadRaw(1)[0];
            reader.ReadRaw(padding);
        }
        array.Raw = reader.ReadRaw(checked(array.Count * dtype.ItemSize));
        return array;
    }

    private static object? Get(IReadOnlyDictionary<object, object?> d, string key) =>
        d.TryGetValue(key, out var v) ? v : throw new PickleFormatException($"NumpyArrayWrapper lacks '{key}'");
}
