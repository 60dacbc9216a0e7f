using Afml.Core.Exchange.Binance;
using Afml.Core.MarketData.Binance;

namespace Afml.Core.Venues;

/// <summary>
/// How a session reaches Binance (paper's market data, testnet, live): the session carries it without reading it,
/// only <see cref="VenueBuilder"/> and <see cref="DeadSessionEmergency"/> do, so the session itself never names a
/// Binance type. Every part is optional: the defaults are Binance's own addresses, the credentials from the
/// environment and the clients' default tuning.
/// </summary>
public sealed record BinanceConnection
{
    /// <summary>A server speaking Binance's protocol at this HTTP base (the fake Binance, a proxy): REST there,
    /// streams at ws://same-host/market and /private. Default: Binance's own testnet or production addresses.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>Binance API key and secret; default: <c>BINANCE_TESTNET_API_KEY/SECRET</c> (testnet) or
    /// <c>BINANCE_API_KEY/SECRET</c> (live) from the environment.</summary>
    public BinanceCredentials? Credentials { get; init; }

    /// <summary>Client tuning (timeouts, receive window, rate limits); default <see cref="BinanceOptions"/>.</summary>
    public BinanceOptions? ClientOptions { get; init; }

    /// <summary>Market-data tuning (stream vs polling, grace periods, reconnects); default <see cref="BinanceFeedOptions"/>.</summary>
    public BinanceFeedOptions? FeedOptions { get; init; }

    /// <summary>The process's per-host rate gates (Binance counts weight and bans per IP): the PowerShell module
    /// passes its one registry to every session and emergency it starts; null gives this session its own.</summary>
    public BinanceRateGates? Gates { get; init; }

    /// <summary>Mark-price source tuning for the monitor between candles (silence before polling, reconnect
    /// back-off); default <see cref="MarkPriceOptions"/>.</summary>
    public MarkPriceOptions? MarkPrices { get; init; }

    /// <summary>Testnet and live keep an exchange-resident protective stop while a position is open (issue 10, layer 2).
    /// On by default; off only where a test looks at the monitor between candles alone.</summary>
    public bool ProtectiveStop { get; init; } = true;

    /// <summary>The environment this connection names for <paramref name="venueName"/>: <see cref="Endpoint"/> when
    /// given, else <paramref name="fallback"/> (Binance's own address).</summary>
    public BinanceEnvironment Environment(string venueName, BinanceEnvironment fallback, bool isLive = false) =>
        Endpoint is { } e ? BinanceEnvironment.Local(e, venueName, isLive) : fallback;

    /// <summary>An <c>-Endpoint</c> must be an absolute http(s) address.</summary>
    public void Validate()
    {
        if (Endpoint is { } e && (!e.IsAbsoluteUri || (e.Scheme != Uri.UriSchemeHttp && e.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(e.Host)))
            throw new AfmlException("EndpointInvalid", AfmlErrorCategory.InvalidArgument,
                $"-Endpoint '{e.OriginalString}' is not an http:// or https:// address of a server speaking Binance's protocol (e.g. http://127.0.0.1:18080).", "Endpoint");
    }
}
