using Afml.Core.MarketData;

namespace Afml.FakeBinance;

/// <summary>Everything a test or the standalone run can set on the fake venue. Defaults give a BTCUSDT 1h market
/// with a 10 000 USDT account and Binance-like filters.</summary>
public sealed record FakeBinanceOptions
{
    /// <summary>The scripted price path (oldest first). The kline REST endpoint and the kline stream serve it, and
    /// MARKET orders fill at the close of the newest published candle.</summary>
    public IReadOnlyList<Candle> Candles { get; init; } = [];

    /// <summary>How many candles are already closed when the server starts (history for klines REST). The rest
    /// are published one by one by <see cref="FakeBinanceServer.PublishNextCandleAsync"/> or the automatic mode.
    /// Null: min(1000, all but one).</summary>
    public int? ClosedCandlesAtStart { get; init; }

    public FakeSymbolRules Symbol { get; init; } = FakeSymbolRules.BtcUsdt;
    public CandleInterval Interval { get; init; } = CandleInterval.Parse("1h");

    /// <summary>127.0.0.1 port; 0 picks a free one (read it back from <see cref="FakeBinanceServer.Port"/>).</summary>
    public int Port { get; init; }

    public string ApiKey { get; init; } = "fake-api-key";
    public string ApiSecret { get; init; } = "fake-api-secret";

    /// <summary>The server's clock: serverTime, the timestamp/recvWindow check, event times, listenKey validity.
    /// Transport pacing (pings, fault delays, automatic candle speed) uses real time.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Signed calls must carry a timestamp within recvWindow of the server clock (Binance's rule, -1021).
    /// False accepts any timestamp (signature, key and parameters are still checked): only for the standalone run
    /// with an accelerated <see cref="VirtualClock"/>, where the server's time runs <c>speed</c>× faster than the
    /// client's and any measured offset is stale within a second.</summary>
    public bool CheckTimestamps { get; init; } = true;

    public decimal InitialBalance { get; init; } = 10_000m;
    public int InitialLeverage { get; init; } = 20;

    /// <summary>Taker commission rate charged in USDT on the filled notional (Binance's default tier: 0.05 %).</summary>
    public decimal TakerCommissionRate { get; init; } = 0.0005m;

    /// <summary>How far from the mark a triggered STOP_MARKET fills, against the position (0.001 = 0.1 % worse): the
    /// gap a real stop may suffer. Default 0: it fills at the mark that triggered it.</summary>
    public decimal StopSlippage { get; init; }

    /// <summary>Binance documents newClientOrderId as unique among OPEN orders only (doc rule 2), so a filled
    /// MARKET order's id may be accepted again. <see cref="ClientOrderIdReuse.RejectAnyKnown"/> plays it safe.</summary>
    public ClientOrderIdReuse ClientOrderIdReuse { get; init; } = ClientOrderIdReuse.AllowWhenNotOpen;

    /// <summary>REQUEST_WEIGHT per minute before a natural 429 (Binance: 2400).</summary>
    public int WeightLimitPerMinute { get; init; } = 2400;

    /// <summary>How long an IP ban (418) lasts once a client keeps calling after a 429.</summary>
    public TimeSpan BanDuration { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>listenKey validity; PUT extends it by this much (Binance: 60 min).</summary>
    public TimeSpan ListenKeyTtl { get; init; } = TimeSpan.FromMinutes(60);

    /// <summary>Server ping period and the pong deadline (Binance: 3 min and 10 min). Zero disables pings.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromMinutes(3);
    public TimeSpan PongTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Server-side close of every WebSocket after this long (Binance: 24 h).</summary>
    public TimeSpan ConnectionLifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Incoming WebSocket messages allowed per second per connection before a disconnect (Binance: 10).</summary>
    public int MaxIncomingMessagesPerSecond { get; init; } = 10;

    /// <summary>In-progress (x=false) kline updates sent before each final (x=true) one.</summary>
    public int UpdatesPerCandle { get; init; } = 3;

    /// <summary>Include the candle being published (not yet final) as the last element of REST klines.</summary>
    public bool IncludeOpenCandleInKlines { get; init; } = true;

    /// <summary>Whether the legacy unrouted /ws and /stream paths still deliver klines. Binance stopped that on
    /// 2026-04-23, so by default they connect but stay silent, which catches a client on the old URL.</summary>
    public bool LegacyStreamsCarryKlines { get; init; }

    /// <summary>Real-time period of the mark-price streams' cadence (Binance: 1 s for <c>@markPrice@1s</c>, every third
    /// tick for <c>@markPrice</c>); <see cref="TimeSpan.Zero"/>: marks only when a test publishes them.</summary>
    public TimeSpan MarkPricePeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Real-time period of the housekeeping loop (listenKey expiry, connection lifetime).</summary>
    public TimeSpan HousekeepingPeriod { get; init; } = TimeSpan.FromMilliseconds(200);
}
