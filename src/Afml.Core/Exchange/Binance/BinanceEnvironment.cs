namespace Afml.Core.Exchange.Binance;

/// <summary>
/// Where a Binance USDT-M Futures venue lives: the REST base, the routed market-stream base (klines live under
/// <c>/market</c> since the 2026 split; a raw stream is <c>{MarketStreams}/ws/&lt;stream&gt;</c>) and the user-data base
/// (<c>/private</c>). Every address can be replaced, e.g. by <see cref="Local"/> for the loopback fake server.
/// </summary>
/// <param name="Name">Short venue name for logs and the session summary.</param>
/// <param name="IsLive">True only when orders move real money.</param>
public sealed record BinanceEnvironment(string Name, bool IsLive, Uri Rest, Uri MarketStreams, Uri UserStreams)
{
    /// <summary>Real money: https://fapi.binance.com and wss://fstream.binance.com/{market,private}.</summary>
    public static BinanceEnvironment Production { get; } = new(
        "binance", true,
        new Uri("https://fapi.binance.com"),
        new Uri("wss://fstream.binance.com/market"),
        new Uri("wss://fstream.binance.com/private"));

    /// <summary>The futures testnet ("demo trading"): REST at demo-fapi.binance.com (the official testnet URL);
    /// streams at fstream.binancefuture.com with the same routed prefixes as production. Whether the testnet has the
    /// routed split is not documented: override <see cref="MarketStreams"/> if it does not (the feed keeps working
    /// over REST meanwhile).</summary>
    public static BinanceEnvironment Testnet { get; } = new(
        "binance-testnet", false,
        new Uri("https://demo-fapi.binance.com"),
        new Uri("wss://fstream.binancefuture.com/market"),
        new Uri("wss://fstream.binancefuture.com/private"));

    /// <summary>A server speaking the real protocol at <paramref name="httpBase"/> (e.g. the fake on
    /// http://127.0.0.1:port): REST there, streams at ws://same-host/market and /private.</summary>
    public static BinanceEnvironment Local(Uri httpBase, string name = "binance-local", bool isLive = false)
    {
        ArgumentNullException.ThrowIfNull(httpBase);
        var ws = new UriBuilder(httpBase) { Scheme = httpBase.Scheme == Uri.UriSchemeHttps ? "wss" : "ws", Path = "", Query = "" };
        var root = ws.Uri.ToString().TrimEnd('/');
        return new BinanceEnvironment(name, isLive, new Uri(httpBase.GetLeftPart(UriPartial.Authority)),
            new Uri(root + "/market"), new Uri(root + "/private"));
    }

    /// <summary>The raw-mode URL of one market stream, e.g. <c>…/market/ws/btcusdt@kline_1m</c>.</summary>
    public Uri MarketStream(string streamName) => new(MarketStreams.ToString().TrimEnd('/') + "/ws/" + streamName);
}
