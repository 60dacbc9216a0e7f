namespace Afml.Core.Agent.Pickle;

/// <summary>An instance of an allow-listed class, kept as inert data: its class name, constructor arguments and
/// the state a BUILD gave it. No Python (or .NET) behaviour is attached.</summary>
public sealed class PyObject(PyGlobal type, IReadOnlyList<object?> args)
{
    public PyGlobal Type { get; } = type;
    public IReadOnlyList<object?> Args { get; } = args;
    public object? State { get; set; }

    /// <summary>The state as a string-keyed dict (what <c>__dict__</c> holds), or null when it is something else.</summary>
    public IReadOnlyDictionary<object, object?>? StateDict => State as Dictionary<object, object?>;

    public override string ToString() => Type.FullName + " object";
}
