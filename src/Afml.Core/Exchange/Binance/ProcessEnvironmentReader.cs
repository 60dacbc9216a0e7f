namespace Afml.Core.Exchange.Binance;

/// <summary>The process environment.</summary>
public sealed class ProcessEnvironmentReader : IEnvironmentReader
{
    public string? Get(string name) => Environment.GetEnvironmentVariable(name);
}
