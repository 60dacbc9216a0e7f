using System.Buffers.Binary;
using System.Text;

namespace Afml.Core.Agent.Kernel;

/// <summary>The protobuf wire format read back, just what an ONNX file needs: one field at a time, varints,
/// fixed32/64 and length-delimited payloads (strings, bytes, nested messages, packed repeated scalars).</summary>
internal ref struct ProtobufReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos;

    public int Field { get; private set; }
    public int WireType { get; private set; }

    /// <summary>Moves to the next field; false at the end of the message.</summary>
    public bool Next()
    {
        if (_pos >= _data.Length) return false;
        var tag = Varint();
        Field = (int)(tag >> 3);
        WireType = (int)(tag & 7);
        if (Field == 0) throw new FormatException("protobuf field number 0");
        return true;
    }

    public ulong Varint()
    {
        ulong v = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_pos >= _data.Length) throw new FormatException("truncated varint");
            var b = _data[_pos++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return v;
        }
        throw new FormatException("varint longer than 10 bytes");
    }

    public float Fixed32Float()
    {
        var v = BinaryPrimitives.ReadSingleLittleEndian(Take(4));
        return v;
    }

    public ReadOnlySpan<byte> Bytes() => Take(checked((int)Varint()));

    public string String() => Encoding.UTF8.GetString(Bytes());

    /// <summary>Skips the current field's value.</summary>
    public void Skip()
    {
        switch (WireType)
        {
            case 0: Varint(); break;
            case 1: Take(8); break;
            case 2: Bytes(); break;
            case 5: Take(4); break;
            default: throw new FormatException($"unsupported protobuf wire type {WireType}");
        }
    }

    /// <summary>An int64 that is either one varint or a packed run of them.</summary>
    public void Int64s(List<long> into)
    {
        if (WireType == 0) { into.Add((long)Varint()); return; }
        var inner = new ProtobufReader(Bytes());
        while (inner._pos < inner._data.Length) into.Add((long)inner.Varint());
    }

    /// <summary>Floats: one fixed32 or a packed run of them.</summary>
    public void Floats(List<float> into)
    {
        if (WireType == 5) { into.Add(Fixed32Float()); return; }
        var bytes = Bytes();
        if (bytes.Length % 4 != 0) throw new FormatException("packed float field length is not a multiple of 4");
        for (var i = 0; i < bytes.Length; i += 4) into.Add(BinaryPrimitives.ReadSingleLittleEndian(bytes[i..]));
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n < 0 || _pos + n > _data.Length) throw new FormatException("truncated protobuf field");
        var s = _data.Slice(_pos, n);
        _pos += n;
        return s;
    }
}
