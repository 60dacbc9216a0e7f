namespace Afml.Core.Exchange.Binance;

/// <summary>Reads environment variables; tests supply a dictionary so they never touch the real environment.</summary>
public interface IEnvironmentReader
{
    string? Get(string name);
}
