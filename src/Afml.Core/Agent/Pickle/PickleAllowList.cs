namespace Afml.Core.Agent.Pickle;

/// <summary>What a pickle may name and call. A class on the list becomes an inert <see cref="PyObject"/> when
/// instantiated; a function on the list runs <em>our</em> handler, which builds plain data; a bare name may be
/// referenced but not called. Anything else is an error: no global from a file is ever imported or executed.</summary>
public sealed class PickleAllowList
{
    private readonly HashSet<string> _classes;
    private readonly HashSet<string> _names;
    private readonly Dictionary<string, Func<IReadOnlyList<object?>, object?>> _functions;

    private PickleAllowList(HashSet<string> classes, HashSet<string> names, Dictionary<string, Func<IReadOnlyList<object?>, object?>> functions, bool anyName)
    {
        _classes = classes;
        _names = names;
        _functions = functions;
        AnyName = anyName;
    }

    /// <summary>True when unknown globals may be <em>named</em> (read as <see cref="PyGlobal"/>), e.g. to read an
    /// activation class out of SB3's policy_kwargs; calling them is still refused.</summary>
    public bool AnyName { get; }

    public static PickleAllowList Empty { get; } = new([], [], [], false);

    public PickleAllowList WithClasses(params string[] names) => new([.. _classes, .. names], _names, _functions, AnyName);

    public PickleAllowList WithNames(params string[] names) => new(_classes, [.. _names, .. names], _functions, AnyName);

    public PickleAllowList WithFunction(string name, Func<IReadOnlyList<object?>, object?> handler) =>
        new(_classes, _names, new Dictionary<string, Func<IReadOnlyList<object?>, object?>>(_functions) { [name] = handler }, AnyName);

    public PickleAllowList WithAnyName() => new(_classes, _names, _functions, true);

    public bool IsClass(PyGlobal g) => _classes.Contains(g.FullName);

    public bool TryGetFunction(PyGlobal g, out Func<IReadOnlyList<object?>, object?> handler) =>
        _functions.TryGetValue(g.FullName, out handler!);

    public bool MayName(PyGlobal g) => AnyName || _names.Contains(g.FullName) || _classes.Contains(g.FullName) || _functions.ContainsKey(g.FullName);
}
