using Afml.Core.Exchange.Binance;
using Afml.Core.Venues;

namespace Afml.PowerShell.Hosting;

/// <summary>
/// What every session and emergency the module starts in this process shares. Binance counts request weight, 429s
/// and 418 bans per IP, so two sessions in one shell (or a session and an Invoke-AfmlEmergency on a dead one) must
/// hold back together: they all get this one per-host <see cref="BinanceRateGates"/> registry. The engine itself
/// keeps no static state; the module is the process's owner of this one instance.
/// </summary>
public static class AfmlProcess
{
    /// <summary>The process's rate gates, one per Binance host (scheme, host and port of the REST endpoint).</summary>
    public static BinanceRateGates RateGates { get; } = new();

    /// <summary>The gate of the Binance host at <paramref name="endpoint"/> (what a 418 there bans for every session).</summary>
    public static BinanceRateGate GateFor(Uri endpoint) => RateGates.For(BinanceEnvironment.Local(endpoint));

    /// <summary>The connection a cmdlet hands to a session: its endpoint and credentials, the process's gates.</summary>
    public static BinanceConnection Connection(Uri? endpoint, BinanceCredentials? credentials) =>
        new() { Endpoint = endpoint, Credentials = credentials, Gates = RateGates };
}
