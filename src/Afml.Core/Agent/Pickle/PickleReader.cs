using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Afml.Core.Agent.Pickle;

/// <summary>
/// A small pickle interpreter (protocols 0–5) that never executes anything from the file. Globals are names
/// (<see cref="PyGlobal"/>); calling one is allowed only when the <see cref="PickleAllowList"/> maps it to an inert
/// class or to one of our own data builders. Reads from a byte buffer at a position so that formats which put
/// raw data between pickle opcodes (joblib's arrays, nested pickles) can continue from where a pickle stopped.
/// </summary>
public sealed class PickleReader
{
    private const int MaxDepth = 10_000;
    private static readonly object Mark = new();

    private readonly byte[] _data;
    private readonly string _path;
    private readonly PickleAllowList _allow;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos;

    public PickleReader(byte[] data, int offset, string path, PickleAllowList allow)
    {
        _data = data;
        _pos = offset;
        _path = path;
        _allow = allow;
    }

    /// <summary>Resolves a persistent id (torch storages); without it a persistent id is an error.</summary>
    public Func<object?, object?>? PersistentLoad { get; init; }

    /// <summary>Called after BUILD on an inert object; may replace it (joblib's NumpyArrayWrapper reads its array
    /// from the bytes that follow).</summary>
    public Func<PyObject, PickleReader, object?>? AfterBuild { get; init; }

    /// <summary>Position of the next unread byte.</summary>
    public int Position => _pos;

    public string Path => _path;

    public PickleAllowList AllowList => _allow;

    /// <summary>Reads one pickle and returns its value; problems become <see cref="AfmlException"/>s naming the file.</summary>
    public object? Load()
    {
        try
        {
            return Run();
        }
        catch (Exception ex) when (ex is PickleFormatException or FormatException or ArgumentException or OverflowException or InvalidCastException)
        {
            // text opcodes (INT, FLOAT, UNICODE...) parse with .NET parsers; damaged text lands here too
            throw new AfmlException("PickleInvalid", AfmlErrorCategory.InvalidData, $"{_path}: not a pickle this reader accepts ({ex.Message}).", _path, ex);
        }
    }

    /// <summary>Takes <paramref name="count"/> raw bytes from the stream (data that is not pickle opcodes).</summary>
    public byte[] ReadRaw(long count)
    {
        if (count < 0 || count > _data.Length - _pos) throw Truncated();
        var result = _data.AsSpan(_pos, (int)count).ToArray();
        _pos += (int)count;
        return result;
    }

    /// <summary>Reads a second pickle that starts at the current position (joblib stores object arrays this way).</summary>
    public object? LoadNested()
    {
        var nested = new PickleReader(_data, _pos, _path, _allow) { PersistentLoad = PersistentLoad, AfterBuild = AfterBuild };
        var value = nested.Run();
        _pos = nested._pos;
        return value;
    }

    private object? Run()
    {
        while (true)
        {
            var op = ReadByte();
            switch (op)
            {
                case 0x80: ReadByte(); break; // PROTO
                case 0x95: ReadBytes(8); break; // FRAME: only a read-ahead hint; the bytes follow in place
                case (byte)'.': return Stop();
                case (byte)'(': _marks.Add(_stack.Count); break;
                case (byte)'0': Pop(); break;
                case (byte)'1': PopMark(); break;
                case (byte)'2': Push(Peek()); break;
                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break;
                case 0x89: Push(false); break;
                case (byte)'I': Push(ParseIntLine(ReadLine())); break;
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break;
                case (byte)'K': Push((long)ReadByte()); break;
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break;
                case (byte)'L': Push(ParseLong(ReadLine().TrimEnd('L'))); break;
                case 0x8a: Push(LongFromBytes(ReadBytes(ReadByte()))); break;
                case 0x8b: Push(LongFromBytes(ReadBytes(ReadLength4()))); break;
                case (byte)'F': Push(double.Parse(ReadLine(), NumberStyles.Float, CultureInfo.InvariantCulture)); break;
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break;
                case (byte)'S': Push(ParseQuoted(ReadLine())); break;
                case (byte)'T': Push(Encoding.Latin1.GetString(ReadBytes(ReadLength4()))); break;
                case (byte)'U': Push(Encoding.Latin1.GetString(ReadBytes(ReadByte()))); break;
                case (byte)'V': Push(Unescape(ReadLine())); break;
                case (byte)'X': Push(Utf8(ReadBytes(ReadLength4()))); break;
                case 0x8c: Push(Utf8(ReadBytes(ReadByte()))); break;
                case 0x8d: Push(Utf8(ReadBytes(ReadLength8()))); break;
                case (byte)'B': Push(ReadBytes(ReadLength4()).ToArray()); break;
                case (byte)'C': Push(ReadBytes(ReadByte()).ToArray()); break;
                case 0x8e: Push(ReadBytes(ReadLength8()).ToArray()); break;
                case 0x96: Push(ReadBytes(ReadLength8()).ToArray()); break; // BYTEARRAY8
                case (byte)')': Push(Array.Empty<object?>()); break;
                case (byte)'t': Push(PopMark().ToArray()); break;
                case 0x85: { var a = Pop(); Push(new[] { a }); break; }
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; }
                case (byte)']': Push(new List<object?>()); break;
                case (byte)'l': Push(PopMark()); break;
                case (byte)'a': { var v = Pop(); AsList(Peek()).Add(v); break; }
                case (byte)'e': { var items = PopMark(); AsList(Peek()).AddRange(items); break; }
                case (byte)'}': Push(new Dictionary<object, object?>()); break;
                case (byte)'d': { var items = PopMark(); var d = new Dictionary<object, object?>(); SetItems(d, items); Push(d); break; }
                case (byte)'s': { var v = Pop(); var k = Pop(); SetItems(AsDict(Peek()), [k, v]); break; }
                case (byte)'u': { var items = PopMark(); SetItems(AsDict(Peek()), items); break; }
                case 0x8f: Push(new HashSet<object?>()); break;
                case 0x90: { var items = PopMark(); if (Peek() is not HashSet<object?> set) throw new PickleFormatException("ADDITEMS on a non-set"); foreach (var i in items) set.Add(i); break; }
                case 0x91: Push(new HashSet<object?>(PopMark())); break;
                case (byte)'g': Push(MemoGet(ParseLong(ReadLine()))); break;
                case (byte)'h': Push(MemoGet(ReadByte())); break;
                case (byte)'j': Push(MemoGet(ReadLength4())); break;
                case (byte)'p': _memo[(long)ParseLong(ReadLine())] = Peek(); break;
                case (byte)'q': _memo[ReadByte()] = Peek(); break;
                case (byte)'r': _memo[ReadLength4()] = Peek(); break;
                case 0x94: _memo[_memo.Count] = Peek(); break;
                case (byte)'c': { var module = ReadLine(); var name = ReadLine(); Push(Global(module, name)); break; }
                case 0x93: { var name = Pop() as string; var module = Pop() as string; if (name is null || module is null) throw new PickleFormatException("STACK_GLOBAL without two strings"); Push(Global(module, name)); break; }
                case (byte)'R': { var args = Pop(); var f = Pop(); Push(Call(f, AsTuple(args, "REDUCE"))); break; }
                case 0x81: { var args = Pop(); var cls = Pop(); Push(New(cls, AsTuple(args, "NEWOBJ"))); break; }
                case 0x92: { var kwargs = Pop(); var args = Pop(); var cls = Pop(); if (kwargs is Dictionary<object, object?> { Count: > 0 }) throw new PickleFormatException("NEWOBJ_EX with keyword arguments"); Push(New(cls, AsTuple(args, "NEWOBJ_EX"))); break; }
                case (byte)'b': { var state = Pop(); Build(Peek(), state); break; }
                case (byte)'i': { var module = ReadLine(); var name = ReadLine(); Push(New(Global(module, name), PopMark().ToArray())); break; }
                case (byte)'o': { var items = PopMark(); if (items.Count == 0) throw new PickleFormatException("OBJ without a class"); Push(New(items[0], items.Skip(1).ToArray())); break; }
                case (byte)'P': Push(Persistent(ReadLine())); break;
                case (byte)'Q': Push(Persistent(Pop())); break;
                default: throw new PickleFormatException($"opcode 0x{op:x2} at byte {_pos - 1} is not supported");
            }
        }
    }

    private object? Stop()
    {
        if (_stack.Count != 1 || _marks.Count != 0) throw new PickleFormatException($"STOP with {_stack.Count} values on the stack");
        return _stack[0];
    }

    private PyGlobal Global(string module, string name)
    {
        var g = new PyGlobal(module, name);
        // Protocol 0/1 spell "instance of class C" as copyreg._reconstructor(C, object, None); handled in Call.
        if (!_allow.MayName(g) && g.FullName is not ("copyreg._reconstructor" or "copy_reg._reconstructor" or "builtins.object" or "__builtin__.object"))
            throw NotAllowed(g);
        return g;
    }

    private AfmlException NotAllowed(PyGlobal g) =>
        new("PickleGlobalNotAllowed", AfmlErrorCategory.SecurityError,
            $"{_path}: the pickle refers to '{g.FullName}', which is not on the allow-list for this file; refusing to load it (nothing from the file was executed).", _path);

    private object? Call(object? f, object?[] args)
    {
        if (f is not PyGlobal g) throw new PickleFormatException($"REDUCE on {f?.GetType().Name ?? "None"}");
        if (_allow.TryGetFunction(g, out var handler)) return handler(args);
        if (_allow.IsClass(g)) return new PyObject(g, args);
        if (g.FullName is "copyreg._reconstructor" or "copy_reg._reconstructor" && args.Length > 0 && args[0] is PyGlobal cls && _allow.IsClass(cls))
            return new PyObject(cls, []);
        throw NotAllowed(g);
    }

    private object? New(object? cls, object?[] args)
    {
        if (cls is not PyGlobal g) throw new PickleFormatException($"NEWOBJ on {cls?.GetType().Name ?? "None"}");
        if (_allow.IsClass(g)) return new PyObject(g, args);
        throw NotAllowed(g);
    }

    private void Build(object? target, object? state)
    {
        switch (target)
        {
            case PyObject o:
                o.State = state;
                if (AfterBuild is not null)
                {
                    var replaced = AfterBuild(o, this);
                    if (!ReferenceEquals(replaced, o)) ReplaceTop(o, replaced);
                }
                break;
            case NdArray a:
                BuildArray(a, state);
                break;
            case NumpyDType d:
                // (version, byteorder, subarray, names, fields, elsize, alignment, flags)
                if (state is object?[] { Length: >= 2 } t && t[1] is string { Length: 1 } order) d.ByteOrder = order[0];
                else throw new PickleFormatException("numpy dtype state is not a tuple with a byte order");
                break;
            case Dictionary<object, object?>:
                break; // OrderedDict attributes (torch's _metadata): not items, nothing we need
            default:
                throw new PickleFormatException($"BUILD on {target?.GetType().Name ?? "None"}");
        }
    }

    private void ReplaceTop(object old, object? replacement)
    {
        if (_stack.Count == 0 || !ReferenceEquals(_stack[^1], old)) throw new PickleFormatException("BUILD target moved");
        _stack[^1] = replacement;
        foreach (var key in _memo.Where(kv => ReferenceEquals(kv.Value, old)).Select(kv => kv.Key).ToList()) _memo[key] = replacement;
    }

    private static void BuildArray(NdArray a, object? state)
    {
        // ndarray.__setstate__((version, shape, dtype, is_fortran, data)); the version is absent in old pickles.
        if (state is not object?[] t || t.Length is not (4 or 5)) throw new PickleFormatException("ndarray state is not a 4- or 5-tuple");
        var i = t.Length == 5 ? 1 : 0;
        a.Shape = (t[i] as object?[] ?? throw new PickleFormatException("ndarray shape is not a tuple")).Select(PickleFunctions.ToInt).ToArray();
        a.DType = t[i + 1] as NumpyDType ?? throw new PickleFormatException("ndarray dtype is not a numpy dtype");
        a.Fortran = t[i + 2] is true;
        switch (t[i + 3])
        {
            case byte[] raw: a.Raw = raw; break;
            case string s: a.Raw = Encoding.Latin1.GetBytes(s); break; // protocol 0/1 keep bytes as latin-1 text
            case List<object?> list: a.Objects = list; break;
            default: throw new PickleFormatException("ndarray data is neither bytes nor a list");
        }
    }

    private object? Persistent(object? pid) =>
        PersistentLoad is null ? throw new PickleFormatException("persistent id without a loader") : PersistentLoad(pid);

    private static void SetItems(Dictionary<object, object?> d, List<object?> items)
    {
        if (items.Count % 2 != 0) throw new PickleFormatException("odd number of items for a dict");
        for (var i = 0; i < items.Count; i += 2)
            d[items[i] ?? NoneKey.Instance] = items[i + 1];
    }

    private static List<object?> AsList(object? o) => o as List<object?> ?? throw new PickleFormatException("APPEND on a non-list");

    private static Dictionary<object, object?> AsDict(object? o) => o as Dictionary<object, object?> ?? throw new PickleFormatException("SETITEM on a non-dict");

    private static object?[] AsTuple(object? o, string op) => o as object?[] ?? throw new PickleFormatException($"{op} arguments are not a tuple");

    private object? MemoGet(long key) => _memo.TryGetValue(key, out var v) ? v : throw new PickleFormatException($"memo key {key} was never stored");

    private void Push(object? value)
    {
        if (_stack.Count >= MaxDepth * 100) throw new PickleFormatException("stack too deep");
        _stack.Add(value);
    }

    private object? Peek() => _stack.Count > (_marks.Count > 0 ? _marks[^1] : 0) ? _stack[^1] : throw new PickleFormatException("stack underflow");

    private object? Pop()
    {
        var v = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw new PickleFormatException("no MARK on the stack");
        var at = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(at, _stack.Count - at);
        _stack.RemoveRange(at, _stack.Count - at);
        return items;
    }

    private byte ReadByte() => _pos < _data.Length ? _data[_pos++] : throw Truncated();

    private ReadOnlySpan<byte> ReadBytes(long n)
    {
        if (n < 0 || n > _data.Length - _pos) throw Truncated();
        var span = _data.AsSpan(_pos, (int)n);
        _pos += (int)n;
        return span;
    }

    private long ReadLength4() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));

    private long ReadLength8()
    {
        var n = BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));
        return n > int.MaxValue ? throw Truncated() : (long)n;
    }

    private string ReadLine()
    {
        var end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0) throw Truncated();
        var s = Encoding.Latin1.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return s;
    }

    private PickleFormatException Truncated() => new($"the data ends early (at byte {_pos} of {_data.Length}); the file is truncated or corrupt");

    private static string Utf8(ReadOnlySpan<byte> b)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(b);
        }
        catch (DecoderFallbackException)
        {
            throw new PickleFormatException("a string is not valid UTF-8");
        }
    }

    private static object ParseIntLine(string s) => s switch
    {
        "00" => false,
        "01" => true,
        _ => ParseLong(s),
    };

    private static long ParseLong(string s) =>
        long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw new PickleFormatException($"'{s}' is not an int this reader supports");

    private static long LongFromBytes(ReadOnlySpan<byte> b)
    {
        if (b.Length == 0) return 0;
        if (b.Length > 8) throw new PickleFormatException("an int wider than 64 bits");
        var v = new BigInteger(b, isUnsigned: false, isBigEndian: false);
        return (long)v;
    }

    private static string ParseQuoted(string s)
    {
        if (s.Length >= 2 && (s[0] == '\'' || s[0] == '"') && s[^1] == s[0]) return Unescape(s[1..^1]);
        throw new PickleFormatException("STRING argument is not quoted");
    }

    private static string Unescape(string s) => s.Contains('\\') ? System.Text.RegularExpressions.Regex.Unescape(s) : s;
}
