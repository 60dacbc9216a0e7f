using Afml.Core.MarketData;
using Afml.FakeBinance.Market;
using Afml.FakeBinance.Rest;
using Afml.FakeBinance.Streams;
using Afml.FakeBinance.Trading;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Afml.FakeBinance;

/// <summary>
/// A loopback Binance USDT-M Futures venue speaking the real protocol (REST paths, signing, error bodies, kline and
/// user-data streams) over a scripted candle path, with scriptable faults and full inspection for tests.
/// </summary>
public sealed class FakeBinanceServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ServerClock _clock;
    private readonly FakeMarket _market;
    private readonly TradingBook _book;
    private readonly KlinePublisher _publisher;
    private readonly MarketStreamHub _marketHub;
    private readonly UserStreamHub _userHub;
    private readonly ListenKeys _listenKeys;
    private readonly RateLimiter _limiter;
    private readonly KlineJson _klineJson;
    private readonly MarkPricePublisher _marks;
    private Task _housekeeping = Task.CompletedTask;
    private Task _markCadence = Task.CompletedTask;
    private UserEventPublisher? _userEvents;
    private AlgoRoutes? _algo;

    private FakeBinanceServer(FakeBinanceOptions options, WebApplication app, ServerClock clock)
    {
        Options = options;
        _app = app;
        _clock = clock;
        var closed = options.ClosedCandlesAtStart ?? Math.Min(1000, Math.Max(1, options.Candles.Count - 1));
        _market = new FakeMarket(options.Candles, closed, options.Symbol.PricePrecision);
        _book = new TradingBook(options, Modes);
        _marketHub = new MarketStreamHub();
        _userHub = new UserStreamHub();
        _listenKeys = new ListenKeys(options.ListenKeyTtl);
        _limiter = new RateLimiter(options.WeightLimitPerMinute, options.BanDuration);
        _klineJson = new KlineJson(options.Symbol.Symbol, options.Interval, options.Symbol.PricePrecision);
        _publisher = new KlinePublisher(_market, _klineJson, _marketHub, Faults, clock, options.UpdatesPerCandle);
        _marks = new MarkPricePublisher(options.Symbol.Symbol, _market, _marketHub, Faults, clock, options.Symbol.PricePrecision);
    }

    public FakeBinanceOptions Options { get; }
    public int Port { get; private set; }
    /// <summary>http://127.0.0.1:port — append /fapi/v1/... as on https://fapi.binance.com.</summary>
    public string RestBaseUrl => $"http://127.0.0.1:{Port}";
    /// <summary>ws://127.0.0.1:port/market — append /ws/btcusdt@kline_1h or /stream?streams=….</summary>
    public string MarketStreamBaseUrl => $"ws://127.0.0.1:{Port}/market";
    /// <summary>ws://127.0.0.1:port/private — append /ws/&lt;listenKey&gt;.</summary>
    public string PrivateStreamBaseUrl => $"ws://127.0.0.1:{Port}/private";
    /// <summary>ws://127.0.0.1:port/public — connects, carries no klines (as on Binance).</summary>
    public string PublicStreamBaseUrl => $"ws://127.0.0.1:{Port}/public";
    /// <summary>The kline stream name, e.g. btcusdt@kline_1h.</summary>
    public string KlineStreamName => _klineJson.StreamName;

    public FaultScript Faults { get; } = new();
    /// <summary>Position mode, multi-assets, margin type, BNB fees: switchable by a test at any time.</summary>
    public FakeAccountModes Modes { get; } = new();
    public RequestLog RequestLog { get; } = new();
    public IReadOnlyList<FakeOrder> Orders => _book.Orders;
    public IReadOnlyList<FakeTrade> Trades => _book.Trades;
    /// <summary>Algo (conditional) orders resting now, as GET /fapi/v1/openAlgoOrders lists them.</summary>
    public IReadOnlyList<System.Text.Json.Nodes.JsonObject> LiveAlgoOrders => _algo!.Live;
    /// <summary>Every algo order placed since start, in its current state (NEW, CANCELED, FINISHED, EXPIRED).</summary>
    public IReadOnlyList<System.Text.Json.Nodes.JsonObject> AlgoOrders => _algo!.All;
    /// <summary>The most algo orders ever resting at once.</summary>
    public int PeakLiveAlgoOrders => _algo!.PeakLive;
    public FakeAccountSnapshot Account => _book.Snapshot(_market.CurrentPrice);

    /// <summary>Fill and mark price: the newest close streamed (or the last closed candle's close).</summary>
    public decimal CurrentPrice => _market.CurrentPrice;
    public int LastClosedCandleIndex => _market.LastClosedIndex;
    public Candle LastClosedCandle => _market.LastClosed;
    public bool HasMoreCandles => _market.HasNext;
    /// <summary>The candle being streamed (its latest x=false view), or null between candles.</summary>
    public Candle? InProgressCandle => _market.InProgress;

    /// <summary>The venue's clock: <see cref="FakeBinanceOptions.Clock"/> plus <see cref="ClockOffset"/>.</summary>
    public DateTimeOffset ServerTime => _clock.Now;
    /// <summary>Skews the server clock against the client's (positive: server ahead) to provoke -1021.</summary>
    public TimeSpan ClockOffset { get => _clock.Offset; set => _clock.Offset = value; }

    public string? ActiveListenKey => _listenKeys.Active(_clock.NowMs);
    public int MarketConnectionCount => _marketHub.Connections.Count;
    public int UserConnectionCount => _userHub.Connections.Count;
    public (int TenSeconds, int OneMinute) OrderCounts => _limiter.OrderCounts;
    /// <summary>REST requests that arrived while the IP was banned (after the 418 that announced the ban).</summary>
    public int RequestsDuringBan => _limiter.RequestsDuringBan;
    /// <summary>The request weight counted in the current minute (what X-MBX-USED-WEIGHT-1M says).</summary>
    public int UsedWeight => _limiter.UsedWeight;
    /// <summary>Server ms until which the IP is banned (0: never banned).</summary>
    public long BannedUntilMs => _limiter.BannedUntil;

    public static async Task<FakeBinanceServer> StartAsync(FakeBinanceOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(FakeBinanceServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, options.Port));
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        var server = new FakeBinanceServer(options, app, new ServerClock(options.Clock));
        server.Configure();
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Port = new Uri(address).Port;
        server._housekeeping = server.HousekeepAsync(server._stopping.Token);
        if (options.MarkPricePeriod > TimeSpan.Zero) server._markCadence = server.PublishMarksAsync(options.MarkPricePeriod, server._stopping.Token);
        return server;
    }

    private void Configure()
    {
        var auth = new RequestAuthenticator(Options.ApiKey, Options.ApiSecret, Options.CheckTimestamps);
        var userEvents = _userEvents = new UserEventPublisher(_userHub, _listenKeys, Faults, _clock);
        var routes = new RouteTable();
        new MarketRoutes(Options, _market, _klineJson, Modes).Map(routes);
        new TradeRoutes(Options.Symbol, _market, _book, userEvents.Publish).Map(routes);
        new AccountRoutes(Options.Symbol, _market, _book, Modes).Map(routes);
        new ListenKeyRoutes(_listenKeys, _userHub).Map(routes);
        var algo = _algo = new AlgoRoutes(Options.Symbol, Modes, _book, () => _market.CurrentPrice, userEvents.Publish, Options.StopSlippage);
        algo.Map(routes);
        _market.PriceChanged += price => algo.OnMark(price, _clock.NowMs);
        var rest = new RestPipeline(routes, auth, _limiter, Faults, RequestLog, _clock, _stopping.Token);
        var streams = new StreamEndpoint(Options, _marketHub, _userHub, _listenKeys, _clock);

        _app.UseWebSockets();
        _app.Run(ctx => StreamEndpoint.IsStreamPath(ctx.Request.Path) ? streams.HandleAsync(ctx, _stopping.Token) : rest.HandleAsync(ctx));
    }

    /// <summary>Streams the next candle: in-progress x=false updates, then the final x=true event. False when
    /// the path is exhausted.</summary>
    public Task<bool> PublishNextCandleAsync(CancellationToken ct = default) => _publisher.PublishNextAsync(new CandlePublishOptions(), ct);

    public Task<bool> PublishNextCandleAsync(CandlePublishOptions options, CancellationToken ct = default) => _publisher.PublishNextAsync(options, ct);

    /// <summary>Bends the path ahead by <paramref name="change"/> (e.g. -0.15: a 15 % fall) over <paramref name="candles"/> candles
    /// (see <see cref="FakeMarket.Bend"/>): a crash a test can start at a moment it chooses.</summary>
    public void BendPath(double change, int candles) => _market.Bend(change, candles);

    /// <summary>Closes the next candle without streaming anything (a missed bar, from the client's view).</summary>
    public bool AdvanceCandle() => _publisher.AdvanceSilently();

    /// <summary>Streams candles in real time at <paramref name="speed"/>× (one 1h bar per minute at 60) until the
    /// path ends or <paramref name="ct"/> fires.</summary>
    public async Task RunAutomaticAsync(double speed, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(speed, 0);
        var period = TimeSpan.FromMilliseconds(Options.Interval.Milliseconds / speed);
        var spacing = period / (Options.UpdatesPerCandle + 1);
        while (!ct.IsCancellationRequested && await _publisher.PublishNextAsync(new CandlePublishOptions { Spacing = spacing }, ct)) { }
    }

    /// <summary>A trade placed by hand on the account (Binance's web/app): a MARKET fill at the current price with a
    /// client id the engine never sent, published on the user stream (ORDER_TRADE_UPDATE, ACCOUNT_UPDATE).</summary>
    public FakeOrder InjectManualTrade(string side, decimal quantity) =>
        _book.ForceFill(side, quantity, _market.CurrentPrice, _clock.NowMs, "web_" + Guid.NewGuid().ToString("N")[..16], "MARKET", "TRADE", _userEvents!.Publish);

    /// <summary>The liquidation engine closes the whole position at the current price (type LIQUIDATION, client id
    /// autoclose-…, execution CALCULATED), or ADL does (client id adl_autoclose) when <paramref name="adl"/>.</summary>
    public FakeOrder? InjectLiquidation(bool adl = false)
    {
        var amount = _book.PositionAmount;
        if (amount == 0m) return null;
        var clientId = adl ? "adl_autoclose" : "autoclose-" + _clock.NowMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return _book.ForceFill(amount > 0 ? "SELL" : "BUY", Math.Abs(amount), _market.CurrentPrice, _clock.NowMs, clientId, adl ? "MARKET" : "LIQUIDATION", adl ? "TRADE" : "CALCULATED", _userEvents!.Publish);
    }

    /// <summary>The 1 s mark-price stream's name, e.g. btcusdt@markPrice@1s (the 3 s one is without @1s).</summary>
    public string MarkPriceStreamName => _marks.FastStream;

    /// <summary>Mark-price updates sent so far (swallowed or dropped ones not counted).</summary>
    public int MarkPricesSent => _marks.Sent;

    /// <summary>Sends a mark-price update (mark = <see cref="CurrentPrice"/>) now, on both mark streams; returns its event
    /// time (server ms), or -1 when a mark-stream fault swallowed or dropped it.</summary>
    public long PublishMarkPrice() => _marks.Publish();

    /// <summary>A move of the price inside the next candle (a crash, a spike): that candle's in-progress view gets
    /// <paramref name="close"/> as its close (high/low widened to it), an x=false kline update is streamed, and the new
    /// mark is published at once. Returns the mark's event time (server ms; -1 when a fault swallowed it). The candle
    /// still closes at its scripted close when published.</summary>
    public long PublishInProgress(double close)
    {
        if (_market.PeekNext() is not { } next) throw new InvalidOperationException("The price path is exhausted: no candle in progress.");
        var partial = new Candle(next.OpenTime, next.Open, Math.Max(next.Open, close), Math.Min(next.Open, close), close, next.Volume / 2);
        _market.SetInProgress(partial);
        _marketHub.Publish(_klineJson.StreamName, _klineJson.Event(partial, closed: false, _clock.NowMs));
        return _marks.Publish();
    }

    /// <summary>Aborts every market-stream connection (no close handshake).</summary>
    public void DropMarketStreams() => _marketHub.AbortAll();

    public void DropUserStreams() => _userHub.AbortAll();

    /// <summary>Ends the listenKey's validity now and sends listenKeyExpired to its connections.</summary>
    public void ExpireListenKey()
    {
        _listenKeys.ExpireNow(_clock.NowMs);
        AnnounceExpiredKeys();
    }

    /// <summary>Waits (bounded) until at least <paramref name="count"/> market connections are registered.</summary>
    public Task<bool> WaitForMarketConnectionsAsync(int count, TimeSpan timeout, CancellationToken ct = default) =>
        WaitUntilAsync(() => _marketHub.Connections.Count >= count, timeout, ct);

    public Task<bool> WaitForUserConnectionsAsync(int count, TimeSpan timeout, CancellationToken ct = default) =>
        WaitUntilAsync(() => _userHub.Connections.Count >= count, timeout, ct);

    private static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline) return false;
            await Task.Delay(10, ct);
        }
        return true;
    }

    private void AnnounceExpiredKeys()
    {
        if (_listenKeys.TakeNewlyExpired(_clock.NowMs) is { } key) _userHub.AnnounceExpired(key, _clock.NowMs);
    }

    private async Task HousekeepAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Options.HousekeepingPeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                AnnounceExpiredKeys();
                var cutoff = DateTimeOffset.UtcNow - Options.ConnectionLifetime;
                foreach (var c in _marketHub.Connections.Snapshot().Concat(_userHub.Connections.Snapshot()).Where(c => c.ConnectedAt <= cutoff))
                    await c.CloseAsync("connection lifetime reached");
            }
        }
        catch (OperationCanceledException)
        {
            // Server stopping.
        }
    }

    /// <summary>The venue's mark cadence in real time (as pings and <c>--speed</c> are): one tick per period.</summary>
    private async Task PublishMarksAsync(TimeSpan period, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) _marks.Tick();
        }
        catch (OperationCanceledException)
        {
            // Server stopping.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _marketHub.AbortAll();
        _userHub.AbortAll();
        await _housekeeping;
        await _markCadence;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try { await _app.StopAsync(timeout.Token); }
        catch (OperationCanceledException) { /* forced stop after the grace period */ }
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
