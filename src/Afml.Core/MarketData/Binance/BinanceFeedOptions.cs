using Afml.Core.Exchange.Binance;

namespace Afml.Core.MarketData.Binance;

/// <summary>How the Binance candle feed gets its candles. Each instance starts from these defaults.</summary>
public sealed record BinanceFeedOptions
{
    /// <summary>Intervals shorter than this use the kline WebSocket (REST as the fallback); longer ones poll REST
    /// at each candle close, as the original system did from 15m up.</summary>
    public TimeSpan StreamBelow { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>False: REST polling for every interval.</summary>
    public bool UseWebSocket { get; init; } = true;

    /// <summary>Stream mode: how long after a candle's close its final event may take before it is fetched over REST.</summary>
    public TimeSpan CloseGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Polling mode: how long after a candle's close it is fetched (Binance needs a moment to close it).</summary>
    public TimeSpan PollDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>First wait before asking REST again when an expected candle is not there yet; doubles up to
    /// <see cref="RestRetryMax"/>.</summary>
    public TimeSpan RestRetryDelay { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan RestRetryMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>REST fetches in a row that may find the expected candle impossible (close 0, high below low…) before
    /// the feed gives up with <c>VenueCandleInvalid</c>: a venue that keeps serving it would otherwise keep the
    /// session waiting, alive and deciding nothing, while a position stays open (the session then runs the
    /// emergency protocol).</summary>
    public int MaxRefusedFetches { get; init; } = 3;

    /// <summary>Reconnect back-off: starts here, doubles per failed attempt, up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A connection silent for this long is considered dead and replaced.</summary>
    public TimeSpan NoDataTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Binance closes connections at 24 h; the feed reconnects (and backfills) before that.</summary>
    public TimeSpan MaxConnectionAge { get; init; } = TimeSpan.FromHours(23);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Before a REST fetch, the server-time offset is refreshed when older than this (weight 1): closedness
    /// is judged by the server's clock.</summary>
    public TimeSpan ClockCheckInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Klines per REST page (Binance's maximum is 1500).</summary>
    public int PageLimit { get; init; } = 1500;

    /// <summary>REST behaviour (timeouts, rate limits) for the kline requests.</summary>
    public BinanceOptions Rest { get; init; } = new();
}
