using System.Reflection;
using System.Reflection.Emit;
using Afml.Core.Session;

namespace Afml.Tests.Session;

/// <summary>The session is venue-neutral: nothing in <c>Afml.Core.Session</c> names a Binance type. What a Binance
/// session needs (endpoint, credentials, client and feed options, the process's rate gates) travels in
/// <c>Venues.BinanceConnection</c>, which only the venue builder reads.</summary>
public class SessionDependencyTests
{
    private static readonly string[] Forbidden = ["Afml.Core.Exchange.Binance", "Afml.Core.MarketData.Binance"];

    [Fact]
    public void No_type_of_the_session_namespace_references_a_Binance_type()
    {
        var offences = new SortedSet<string>(StringComparer.Ordinal);
        var assembly = typeof(SessionOptions).Assembly;
        foreach (var type in assembly.GetTypes().Where(t => t.Namespace == "Afml.Core.Session"))
        {
            foreach (var (where, used) in References(type))
                if (IsForbidden(used)) offences.Add($"{type.FullName} → {used.FullName} ({where})");
        }
        Assert.True(offences.Count == 0, "Session depends on Binance:\n" + string.Join("\n", offences));
    }

    [Fact]
    public void No_session_source_file_names_a_Binance_namespace()
    {
        var dir = Path.Combine(RepoRoot(), "src", "Afml.Core", "Session");
        var offences = Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, line, i)))
            .Where(x => x.line.Contains("Exchange.Binance", StringComparison.Ordinal) || x.line.Contains("MarketData.Binance", StringComparison.Ordinal))
            .Select(x => $"{Path.GetFileName(x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(offences.Count == 0, "Session names Binance:\n" + string.Join("\n", offences));
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Afml.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Afml.sln not found above " + AppContext.BaseDirectory);
    }

    private static bool IsForbidden(Type t)
    {
        if (t.HasElementType) return IsForbidden(t.GetElementType()!);
        if (t.IsGenericType && !t.IsGenericTypeDefinition && t.GetGenericArguments().Any(IsForbidden)) return true;
        return t.Namespace is { } ns && Forbidden.Any(f => ns == f || ns.StartsWith(f + ".", StringComparison.Ordinal));
    }

    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Every type a type names: base, interfaces, fields, signatures, and what its method bodies use
    /// (locals and every type, method or field token in the IL, so a <c>new BinanceExchange(…)</c> counts too).</summary>
    private static IEnumerable<(string Where, Type Used)> References(Type type)
    {
        if (type.BaseType is { } b) yield return ("base", b);
        foreach (var i in type.GetInterfaces()) yield return ("interface", i);
        foreach (var f in type.GetFields(All)) yield return ($"field {f.Name}", f.FieldType);
        foreach (var p in type.GetProperties(All)) yield return ($"property {p.Name}", p.PropertyType);
        foreach (var m in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (m is MethodInfo mi) yield return ($"{m.Name} returns", mi.ReturnType);
            foreach (var p in m.GetParameters()) yield return ($"{m.Name}({p.Name})", p.ParameterType);
            MethodBody? body;
            try { body = m.GetMethodBody(); } catch (Exception) { continue; }
            if (body is null) continue;
            foreach (var l in body.LocalVariables) yield return ($"{m.Name} local", l.LocalType);
            foreach (var used in IlTypes(m, body.GetILAsByteArray() ?? [])) yield return ($"{m.Name} body", used);
        }
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private static IEnumerable<Type> IlTypes(MethodBase method, byte[] il)
    {
        var module = method.Module;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            short value = il[i++];
            if (value == 0xFE) value = (short)(0xFE00 | il[i++]);
            if (!OpCodesByValue.TryGetValue(value, out var op)) yield break; // unknown: stop rather than misread
            var size = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
            if (op.OperandType is OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok)
            {
                MemberInfo? member = null;
                try { member = module.ResolveMember(BitConverter.ToInt32(il, i), typeArgs, methodArgs); } catch (Exception) { }
                switch (member)
                {
                    case Type t: yield return t; break;
                    case MethodBase mb:
                        if (mb.DeclaringType is { } dt) yield return dt;
                        foreach (var p in mb.GetParameters()) yield return p.ParameterType;
                        if (mb is MethodInfo r) yield return r.ReturnType;
                        break;
                    case FieldInfo f:
                        if (f.DeclaringType is { } ft) yield return ft;
                        yield return f.FieldType;
                        break;
                }
            }
            i += size;
        }
    }
}
