namespace Afml.Core.Agent.Pickle;

/// <summary>A global named by a pickle (<c>module.name</c>). Only a name: nothing is imported or called.</summary>
public sealed record PyGlobal(string Module, string Name)
{
    public string FullName => Module + "." + Name;

    public override string ToString() => FullName;
}
