namespace Afml.Core.Agent.Pickle;

/// <summary>A numpy dtype as pickled (<c>numpy.dtype('f8', False, True)</c> then BUILD with its byte order).</summary>
public sealed class NumpyDType(string code)
{
    /// <summary>Type code as given to the constructor: <c>f8</c>, <c>i8</c>, <c>O8</c>, <c>b1</c>...</summary>
    public string Code { get; } = code;

    /// <summary><c>&lt;</c> little, <c>&gt;</c> big, <c>|</c> not applicable, <c>=</c> native.</summary>
    public char ByteOrder { get; set; } = '=';

    public char Kind => Code.Length > 0 ? Code[0] : '?';

    public int ItemSize => Code.Length > 1 && int.TryParse(Code.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;

    public bool IsObject => Kind == 'O';

    public bool IsBigEndian => ByteOrder == '>' || (ByteOrder is '=' && !BitConverter.IsLittleEndian);

    public override string ToString() => ByteOrder + Code;
}
