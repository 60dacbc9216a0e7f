using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;
using Afml.FakeBinance;

namespace Afml.Tests.Exchange.Binance;

/// <summary>The user-data stream over real sockets on the fake: account and position kept from it (no REST read while
/// it is healthy), REST as the fallback when it is down or behind, listenKey expiry and re-creation, and fills this
/// client did not make surfacing as venue events.</summary>
public class UserStreamTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly string[] Reads = ["GET /fapi/v3/account", "GET /fapi/v3/positionRisk"];

    private static int RestReads(FakeBinanceServer fake) => Reads.Sum(r => fake.RequestLog.For(r).Count);

    private static async Task<BinanceExchange> StartedAsync(FakeBinanceServer fake, BinanceOptions? options = null)
    {
        var ex = AccountConfigurationTests.Exchange(fake, options);
        (await ex.SetLeverageAsync("BTCUSDT", 5, default)).Unwrap();
        Assert.True(await fake.WaitForUserConnectionsAsync(1, TimeSpan.FromSeconds(5)));
        // The session's start: one REST read of each seeds the stream's state.
        (await ex.GetAccountAsync(default)).Unwrap();
        (await ex.GetPositionAsync("BTCUSDT", default)).Unwrap();
        return ex;
    }

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }

    [Fact]
    public async Task With_a_healthy_stream_account_and_position_reads_make_no_REST_call_and_match_the_venue()
    {
        await using var fake = await AccountConfigurationTests.StartFakeAsync();
        await using var ex = await StartedAsync(fake);
        var before = RestReads(fake);

        for (var i = 1; i <= 3; i++)
        {
            var fill = (await ex.PlaceMarketOrderAsync(new MarketOrderRequest("BTCUSDT", OrderSide.Buy, 0.01, false, $"afml-us-{i}", 20_500), default)).Unwrap();
            ex.OnPrice("BTCUSDT", (double)fake.CurrentPrice);
            var position = (await ex.GetPositionAsync("BTCUSDT", default)).Unwrap();
            var account = (await ex.GetAccountAsync(default)).Unwrap();
            var venue = fake.Account;
            Assert.Equal((double)venue.Position("BTCUSDT")!.Amount, position.Quantity, 9);
            Assert.Equal((double)venue.Position("BTCUSDT")!.EntryPrice, position.EntryPrice, 6);
            Assert.Equal((double)venue.WalletBalance, account.WalletBalance, 6);
            Assert.Equal((double)venue.MarginBalance, account.MarginBalance, 6);
            Assert.True(fill.ExecutedQuantity > 0);
        }

        Assert.Equal(before, RestReads(fake));
        Assert.Equal(6, ex.StreamReads);
    }

    [Fact]
    public async Task When_the_stream_drops_reads_fall_back_to_REST_until_it_is_back_and_reseeded()
    {
        await using var fake = await AccountConfigurationTests.StartFakeAsync();
        await using var ex = await StartedAsync(fake);
        var before = RestReads(fake);

        fake.DropUserStreams();
        await EventuallyAsync(() => !ex.State.IsConnected || ex.UserStream!.Connections > 1);
        (await ex.GetAccountAsync(default)).Unwrap();
        Assert.True(RestReads(fake) > before);

        await EventuallyAsync(() => ex.State.IsConnected);
        // The reconnect's re-read reads account and position over REST in background turns that yield to the calls
        // below: its requests can land after them, so the count is taken once it is done.
        await EventuallyAsync(() => ex.CatchUps >= 1);
        (await ex.GetPositionAsync("BTCUSDT", default)).Unwrap();
        (await ex.GetAccountAsync(default)).Unwrap(); // reseeds after the reconnect
        var reseeded = RestReads(fake);
        (await ex.GetAccountAsync(default)).Unwrap();
        (await ex.GetPositionAsync("BTCUSDT", default)).Unwrap();
        Assert.Equal(reseeded, RestReads(fake));
        Assert.True(ex.UserStream!.Connections >= 2);
    }

    [Fact]
    public async Task An_expired_listenKey_is_replaced_and_the_stream_reconnected()
    {
        await using var fake = await AccountConfigurationTests.StartFakeAsync();
        await using var ex = await StartedAsync(fake);
        var firstKey = fake.ActiveListenKey;

        fake.ExpireListenKey();
        await EventuallyAsync(() => ex.UserStream!.KeysCreated == 2 && ex.State.IsConnected);

        Assert.NotEqual(firstKey, fake.ActiveListenKey);
        Assert.Equal(2, fake.RequestLog.For("POST /fapi/v1/listenKey").Count);
        Assert.True(await fake.WaitForUserConnectionsAsync(1, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task The_listenKey_is_kept_alive_on_schedule()
    {
        await using var fake = await AccountConfigurationTests.StartFakeAsync();
        await using var ex = await StartedAsync(fake, new BinanceOptions { ListenKeyKeepAlive = TimeSpan.FromMilliseconds(150) });
        await EventuallyAsync(() => fake.RequestLog.For("PUT /fapi/v1/listenKey").Count >= 2);
        Assert.All(fake.RequestLog.For("PUT /fapi/v1/listenKey"), r => Assert.Equal(200, r.Status));
    }

    [Fact]
    public async Task Manual_trades_liquidations_and_ADL_surface_as_venue_events_and_move_the_kept_position()
    {
        await using var fake = await AccountConfigurationTests.StartFakeAsync();
        await using var ex = await StartedAsync(fake);
        (await ex.PlaceMarketOrderAsync(new MarketOrderRequest("BTCUSDT", OrderSide.Buy, 0.01, false, "afml-own-1", 20_500), default)).Unwrap();
        var before = RestReads(fake);

        var started = DateTime.UtcNow;
        fake.InjectManualTrade("BUY", 0.02m);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var manual = await ex.VenueEvents.ReadAsync(cts.Token);
        var manualLatency = DateTime.UtcNow - started;
        fake.InjectLiquidation();
        var liquidation = await ex.VenueEvents.ReadAsync(cts.Token);
        fake.InjectManualTrade("SELL", 0.01m);
        await ex.VenueEvents.ReadAsync(cts.Token);
        fake.InjectLiquidation(adl: true);
        var adl = await ex.VenueEvents.ReadAsync(cts.Token);

        Assert.Equal(VenueEventKind.ManualTrade, manual.Kind);
        Assert.Equal(0.02, manual.Quantity, 9);
        Assert.StartsWith("web_", manual.ClientOrderId);
        Assert.True(manualLatency < TimeSpan.FromSeconds(1), manualLatency.ToString());
        Assert.Equal(VenueEventKind.Liquidation, liquidation.Kind);
        Assert.Equal(0.03, liquidation.Quantity, 9);
        Assert.Equal("liquidacion", liquidation.Reason);
        Assert.Equal(VenueEventKind.AutoDeleverage, adl.Kind);
        Assert.False(ex.VenueEvents.TryRead(out _)); // our own order never shows up as a venue event
        await EventuallyAsync(() => ex.State.Position("BTCUSDT").Quantity == (double)fake.Account.Position("BTCUSDT")!.Amount);
        Assert.Equal(0, (await ex.GetPositionAsync("BTCUSDT", default)).Unwrap().Quantity);
        Assert.Equal(before, RestReads(fake));
    }

    [Fact]
    public async Task A_manual_trade_missed_while_the_listenKey_was_re_created_is_re_read_over_REST_and_surfaces_once()
    {
        await using var fake = await AccountConfigurationTests.StartFakeAsync();
        await using var ex = await StartedAsync(fake);
        (await ex.PlaceMarketOrderAsync(new MarketOrderRequest("BTCUSDT", OrderSide.Buy, 0.01, false, "afml-own-2", 20_500), default)).Unwrap();
        await EventuallyAsync(() => ex.Fills.LastTradeIdOf("BTCUSDT") is not null);

        fake.ExpireListenKey();                     // no valid key until the client makes another: events are lost
        var manual = fake.InjectManualTrade("BUY", 0.02m);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var e = await ex.VenueEvents.ReadAsync(cts.Token);
        await EventuallyAsync(() => ex.CatchUps >= 1);
        await Task.Delay(300);

        Assert.Equal(VenueEventKind.ManualTrade, e.Kind);
        Assert.Equal(manual.ClientOrderId, e.ClientOrderId);
        Assert.Equal(manual.OrderId, e.OrderId);
        Assert.Equal(0.02, e.Quantity, 9);
        Assert.False(ex.VenueEvents.TryRead(out _)); // once: neither doubled nor our own order's fill
        Assert.Equal(2, ex.UserStream!.KeysCreated);
        Assert.Contains(fake.RequestLog.For("GET /fapi/v1/userTrades"), r => r.Query.Contains("fromId=", StringComparison.Ordinal));
        Assert.Equal((double)fake.Account.Position("BTCUSDT")!.Amount, (await ex.GetPositionAsync("BTCUSDT", default)).Unwrap().Quantity, 9);
    }

    [Fact]
    public async Task A_liquidation_missed_while_the_socket_was_down_is_re_read_once_and_a_fill_seen_both_ways_counts_once()
    {
        await using var fake = await AccountConfigurationTests.StartFakeAsync();
        await using var ex = await StartedAsync(fake);
        fake.InjectManualTrade("BUY", 0.03m);        // seen on the stream
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var first = await ex.VenueEvents.ReadAsync(cts.Token);

        fake.DropUserStreams();
        await EventuallyAsync(() => fake.UserConnectionCount == 0);
        var liquidation = fake.InjectLiquidation();
        Assert.NotNull(liquidation);
        var e = await ex.VenueEvents.ReadAsync(cts.Token);
        await EventuallyAsync(() => ex.CatchUps >= 1);
        // The catch-up's userTrades lists the manual trade too when it reads from a time: it was seen already.
        (await ex.CatchUpAsync("BTCUSDT", default)).ToString();
        await Task.Delay(300);

        Assert.Equal(VenueEventKind.ManualTrade, first.Kind);
        Assert.Equal(VenueEventKind.Liquidation, e.Kind);
        Assert.Equal(liquidation.ClientOrderId, e.ClientOrderId);
        Assert.Equal(0.03, e.Quantity, 9);
        Assert.False(ex.VenueEvents.TryRead(out _));
        Assert.Equal(0, (await ex.GetPositionAsync("BTCUSDT", default)).Unwrap().Quantity);
    }

    /// <summary>Every request the client sends, with when it started and ended, and whether the test's step sent it.</summary>
    private sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        public static readonly AsyncLocal<bool> InStep = new();
        private readonly object _gate = new();
        private readonly List<Call> _calls = [];
        private long _clock;

        public sealed record Call(string Endpoint, string Query, bool Step, long Start)
        {
            public long End { get; set; } = long.MaxValue;
        }

        public IReadOnlyList<Call> Calls { get { lock (_gate) return _calls.ToArray(); } }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Call call;
            lock (_gate)
            {
                call = new Call(request.Method + " " + request.RequestUri!.AbsolutePath, request.RequestUri.Query, InStep.Value, ++_clock);
                _calls.Add(call);
            }
            try { return await base.SendAsync(request, ct); }
            finally { lock (_gate) call.End = ++_clock; }
        }
    }

    /// <param name="stepDuringReRead">false: the stream comes back while the step's order is held (the reconnect and its
    /// re-read wait for the step); true: the step's order comes while the re-read's first request is held (the order
    /// waits for that one request, the rest of the re-read waits for the step).</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_reconnect_re_read_yields_to_the_steps_order_and_fill_sequence_and_applies_each_missed_fill_once(bool stepDuringReRead)
    {
        await using var fake = await AccountConfigurationTests.StartFakeAsync();
        var recorder = new RecordingHandler();
        await using var ex = new BinanceExchange(BinanceEnvironment.Local(new Uri(fake.RestBaseUrl)),
            new BinanceCredentials(AccountConfigurationTests.Key, AccountConfigurationTests.Secret), TimeProvider.System, handler: recorder);
        (await ex.SetLeverageAsync("BTCUSDT", 5, default)).Unwrap();
        Assert.True(await fake.WaitForUserConnectionsAsync(1, TimeSpan.FromSeconds(5)));
        (await ex.GetAccountAsync(default)).Unwrap();
        (await ex.GetPositionAsync("BTCUSDT", default)).Unwrap();
        (await ex.PlaceMarketOrderAsync(new MarketOrderRequest("BTCUSDT", OrderSide.Buy, 0.01, false, "afml-rr-1", 20_500), default)).Unwrap();
        await EventuallyAsync(() => ex.Fills.LastTradeIdOf("BTCUSDT") is not null);

        // The step's order is held 1.5 s at the fake; the key expires, a manual trade is missed, and the stream comes
        // back: its re-read and the step's order → fill sequence want the connection at the same time.
        fake.Faults.OnNext("POST /fapi/v1/order", Fault.Latency(TimeSpan.FromMilliseconds(1500)));
        Task<ExchangeResult<OrderFill>> Step() => Task.Run(async () =>
        {
            RecordingHandler.InStep.Value = true;
            return await ex.PlaceMarketOrderAsync(new MarketOrderRequest("BTCUSDT", OrderSide.Buy, 0.01, false, "afml-rr-2", 20_500), default);
        });
        Task<ExchangeResult<OrderFill>> step;
        FakeOrder manual;
        if (stepDuringReRead)
        {
            fake.Faults.OnNext("GET /fapi/v1/userTrades", Fault.Latency(TimeSpan.FromMilliseconds(800)));
            fake.ExpireListenKey();
            manual = fake.InjectManualTrade("BUY", 0.02m);
            await EventuallyAsync(() => recorder.Calls.Any(c => !c.Step && c.Query.Contains("fromId=", StringComparison.Ordinal) && c.End == long.MaxValue));
            step = Step();
        }
        else
        {
            step = Step();
            await EventuallyAsync(() => recorder.Calls.Any(c => c.Step && c.Endpoint == "POST /fapi/v1/order"));
            fake.ExpireListenKey();
            manual = fake.InjectManualTrade("BUY", 0.02m);
        }
        (await step).Unwrap();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var e = await ex.VenueEvents.ReadAsync(cts.Token);
        await EventuallyAsync(() => ex.CatchUps >= 1);

        var calls = recorder.Calls;
        var stepCalls = calls.Where(c => c.Step).ToList();
        var (from, to) = (stepCalls.Min(c => c.Start), stepCalls.Max(c => c.End));
        // The re-read: userTrades from the last trade id, account, position, the foreign order's lookup.
        var reRead = calls.Where(c => !c.Step && (c.Query.Contains("fromId=", StringComparison.Ordinal) || c.Query.Contains("startTime=", StringComparison.Ordinal)
            || c.Endpoint is "GET /fapi/v3/account" or "GET /fapi/v3/positionRisk" || (c.Endpoint == "GET /fapi/v1/order" && c.Query.Contains("orderId=", StringComparison.Ordinal)))
            && c.Start > stepCalls[0].Start).ToList();
        output.WriteLine(string.Join(Environment.NewLine, calls.Where(c => c.Start >= from).Select(c => $"{c.Start,4}-{c.End,4} {(c.Step ? "step" : "    ")} {c.Endpoint}{c.Query[..Math.Min(50, c.Query.Length)]}")));
        output.WriteLine($"background turns {ex.Turns.BackgroundTurns}, of which waited for the step {ex.Turns.BackgroundYields}");
        Assert.Contains(stepCalls, c => c.Endpoint == "POST /fapi/v1/order");
        Assert.True(reRead.Count >= 3, $"the re-read made {reRead.Count} requests");
        // Nothing else (the re-read, the stream's new key, the clock) ran inside the step's order → fill sequence.
        Assert.All(calls.Where(c => !c.Step),
            c => Assert.True(c.End < from || c.Start > to, $"{c.Endpoint}{c.Query} ran inside the step's order → fill sequence ({from}-{to})"));
        Assert.True(ex.Turns.BackgroundYields >= 1, "the re-read never had to wait for the step: the test did not overlap them");

        // Each missed fill once, by trade id: the manual trade surfaces once; the own order's fill never does.
        Assert.Equal(VenueEventKind.ManualTrade, e.Kind);
        Assert.Equal(manual.OrderId, e.OrderId);
        Assert.Equal(0.02, e.Quantity, 9);
        Assert.Equal(0, await ex.CatchUpAsync("BTCUSDT", default));
        Assert.False(ex.VenueEvents.TryRead(out _));
        Assert.Equal(fake.Trades.Count, fake.Trades.Count(t => ex.Fills.Seen("BTCUSDT", t.Id)));
        // The rate gate counted the re-read's weight: its figure is the fake's, re-read included (one minute, a still clock).
        Assert.Equal(fake.UsedWeight, ex.Rest.RateGate.UsedWeight);
        Assert.True(fake.UsedWeight >= reRead.Count);
    }
}
