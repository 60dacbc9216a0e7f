namespace Afml.Core.Exchange.Binance;

/// <summary>How the REST client and the order placement behave. Every instance starts from the defaults below;
/// nothing here is shared or mutable after construction.</summary>
public sealed record BinanceOptions
{
    /// <summary>Sent with every signed request. Small on purpose: it also bounds how long an order whose outcome is
    /// unknown can still be accepted, hence how long a reconcile must wait before a "does not exist" is final.</summary>
    public TimeSpan RecvWindow { get; init; } = TimeSpan.FromMilliseconds(5000);

    /// <summary>Per-request timeout. A timed-out order is an unknown outcome and is reconciled, never blindly resent.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Subtracted from every timestamp so that clock jitter never makes a request "1000 ms ahead".</summary>
    public TimeSpan TimestampSafety { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often the server-time offset is refreshed (it is also refreshed after every -1021/-5028).</summary>
    public TimeSpan TimeResyncInterval { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Request weight per minute per IP (exchangeInfo's REQUEST_WEIGHT limit replaces it when read).</summary>
    public int WeightLimitPerMinute { get; init; } = 2400;

    /// <summary>Orders per minute per account (exchangeInfo's ORDERS limit replaces it when read).</summary>
    public int OrderLimitPerMinute { get; init; } = 1200;

    /// <summary>Fraction of a limit at which the client waits for the next minute instead of sending.</summary>
    public double RateLimitSlowDownAt { get; init; } = 0.8;

    /// <summary>The longest the client waits for a rate-limit window before failing with
    /// <see cref="ExchangeErrorKind.RateLimited"/> instead.</summary>
    public TimeSpan MaxRateLimitWait { get; init; } = TimeSpan.FromSeconds(65);

    /// <summary>Ban assumed after a 418 whose body names no end and that has no Retry-After (Binance's shortest ban);
    /// doubled for every further such ban, up to 3 days.</summary>
    public TimeSpan DefaultBan { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Pause between order queries while reconciling an unknown outcome or waiting for a fill.</summary>
    public TimeSpan ReconcilePollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Extra margin after timestamp + recvWindow before "order does not exist" (-2013) counts as final.</summary>
    public TimeSpan ReconcileMargin { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest one reconcile may take before it reports the outcome as still unknown.</summary>
    public TimeSpan ReconcileTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Queries made while an accepted order is still NEW before the call reports an unknown outcome.</summary>
    public int FillPollAttempts { get; init; } = 6;

    /// <summary>Read the order's trades (GET /fapi/v1/userTrades) to report its commission.</summary>
    public bool FetchCommission { get; init; } = true;

    /// <summary>Account totals (wallet, margin balance, unrealised PnL, available): v3 by default, same totals as v2.</summary>
    public string AccountPath { get; init; } = "/fapi/v3/account";

    /// <summary>Position risk: v3 by default (current; it has no leverage or margin type, which come from
    /// GET /fapi/v1/symbolConfig and the leverage this client sets).</summary>
    public string PositionRiskPath { get; init; } = "/fapi/v3/positionRisk";

    /// <summary>Margin type to set on the symbol at start ("ISOLATED" or "CROSSED"); null leaves the account's as it is
    /// (it is still read and logged). For the training config's margin type once it has a key for one.</summary>
    public string? MarginType { get; init; }

    /// <summary>Keep account and position current from the user-data stream (REST then only checks and covers for
    /// it). Off: every account and position read is a REST call.</summary>
    public bool UserStream { get; init; } = true;

    /// <summary>listenKey keepalive period (the key lives 60 min; Binance suggests well within that).</summary>
    public TimeSpan ListenKeyKeepAlive { get; init; } = TimeSpan.FromMinutes(50);

    /// <summary>How long a read waits for the stream to confirm an own fill before reading REST instead.</summary>
    public TimeSpan StreamCatchUp { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a commission asset's USDT price (BNBUSDT with the fee discount) is refreshed in the
    /// background once a fill needed it; a fill is valued at the kept price while it is younger than twice this, so no
    /// order is followed by a ticker call. Zero: every fill reads the price right after it (one call per order).</summary>
    public TimeSpan CommissionPriceRefresh { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an own order's step waits for its fills' ORDER_TRADE_UPDATE (commission n/N) before reading
    /// GET /fapi/v1/userTrades instead. Only waited while the stream is connected.</summary>
    public TimeSpan StreamFillWait { get; init; } = TimeSpan.FromSeconds(1);
}
