using System.Collections.Concurrent;

namespace Afml.Core.Exchange.Binance;

/// <summary>
/// One <see cref="BinanceRateGate"/> per Binance host: Binance counts request weight, 429s and 418 bans per IP, so
/// every session of the process that talks to the same host (its exchange and its market feed) must hold back
/// together. The process keeps one registry (the PowerShell module's, or a test's own) and hands it to each
/// session; nothing here is static, so tests never share a ban.
/// </summary>
public sealed class BinanceRateGates
{
    private readonly ConcurrentDictionary<string, BinanceRateGate> _gates = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The gate of <paramref name="environment"/>'s REST host (scheme, host and port).</summary>
    public BinanceRateGate For(BinanceEnvironment environment, BinanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return _gates.GetOrAdd(environment.Rest.GetLeftPart(UriPartial.Authority), _ => new BinanceRateGate(options ?? new BinanceOptions()));
    }

    public int Count => _gates.Count;
}
