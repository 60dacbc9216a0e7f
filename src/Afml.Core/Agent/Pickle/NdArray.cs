using System.Buffers.Binary;

namespace Afml.Core.Agent.Pickle;

/// <summary>A numpy array rebuilt as data: shape, dtype and either the raw element bytes or (object dtype) the
/// element values.</summary>
public sealed class NdArray
{
    public int[] Shape { get; set; } = [];
    public NumpyDType? DType { get; set; }
    public bool Fortran { get; set; }
    public byte[]? Raw { get; set; }
    public IReadOnlyList<object?>? Objects { get; set; }

    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The elements as doubles (float64 or float32 arrays), in C order; null when the dtype is something else
    /// or the byte count does not match the shape.</summary>
    public double[]? ToDoubles()
    {
        if (DType is null || Raw is null || Shape.Length > 1) return null;
        var size = DType.ItemSize;
        if (DType.Kind != 'f' || (size != 8 && size != 4) || Raw.LongLength != Count * size) return null;
        var big = DType.IsBigEndian;
        var result = new double[Count];
        for (var i = 0; i < result.Length; i++)
        {
            var span = Raw.AsSpan(i * size, size);
            result[i] = size == 8
                ? (big ? BinaryPrimitives.ReadDoubleBigEndian(span) : BinaryPrimitives.ReadDoubleLittleEndian(span))
                : (big ? BinaryPrimitives.ReadSingleBigEndian(span) : BinaryPrimitives.ReadSingleLittleEndian(span));
        }
        return result;
    }

    public override string ToString() => $"ndarray({DType}, [{string.Join(", ", Shape)}])";
}
