namespace Afml.Core.Agent.Pickle;

/// <summary>Stands for Python's None used as a dict key (a .NET dictionary cannot hold a null key).</summary>
internal sealed class NoneKey
{
    public static readonly NoneKey Instance = new();
}
