using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;
using Afml.Core.MarketData;
using Afml.Core.MarketData.Binance;
using Afml.Core.Risk;
using Afml.FakeBinance;
using Xunit.Abstractions;

namespace Afml.Tests.Exchange.Binance;

public class FakeServerEndToEndTests(ITestOutputHelper output)
{
    private const long Start = 1_672_531_200_000;
    private const long Hour = 3_600_000;

    private static IReadOnlyList<Candle> Candles(int n) => Enumerable.Range(0, n).Select(i =>
    {
        var close = 20_000.0 + 10 * i;
        return new Candle(Start + i * Hour, close - 5, close + 20, close - 25, close, 100 + i);
    }).ToArray();

    private static async Task<(FakeBinanceServer, Afml.FakeBinance.ManualClock)> StartAsync(Func<FakeBinanceOptions, FakeBinanceOptions>? adjust = null)
    {
        var clock = Afml.FakeBinance.ManualClock.AtUnixMilliseconds(Start + 50 * Hour + 1_000);
        var o = new FakeBinanceOptions { Candles = Candles(100), ClosedCandlesAtStart = 50, ApiKey = "k-123456789", ApiSecret = "s-abcdef", Clock = clock, PingInterval = TimeSpan.Zero };
        return (await FakeBinanceServer.StartAsync(adjust?.Invoke(o) ?? o), clock);
    }

    [Fact]
    public async Task Exchange_round_trip()
    {
        var (fake, _) = await StartAsync();
        await using var _f = fake;
        await using var ex = new BinanceExchange(BinanceEnvironment.Local(new Uri(fake.RestBaseUrl)), new BinanceCredentials("k-123456789", "s-abcdef"), TimeProvider.System);
        var rules = (await ex.GetSymbolRulesAsync("BTCUSDT", default)).Unwrap();
        output.WriteLine(rules.ToString());
        Assert.True((await ex.SetLeverageAsync("BTCUSDT", 5, default)).Unwrap());
        var acct = (await ex.GetAccountAsync(default)).Unwrap();
        output.WriteLine(acct.ToString());
        var fill = (await ex.PlaceMarketOrderAsync(new MarketOrderRequest("BTCUSDT", OrderSide.Buy, 0.0512345, false, "afml-20261202_041418-1", 20500), default)).Unwrap();
        output.WriteLine(fill.ToString());
        var pos = (await ex.GetPositionAsync("BTCUSDT", default)).Unwrap();
        output.WriteLine(pos.ToString());
        Assert.Equal(fill.ExecutedQuantity, pos.Quantity, 9);
        var close = (await ex.PlaceMarketOrderAsync(new MarketOrderRequest("BTCUSDT", OrderSide.Sell, pos.Quantity, true, "afml-20261202_041418-2", 20500), default)).Unwrap();
        output.WriteLine(close.ToString());
        Assert.Equal(0, (await ex.GetPositionAsync("BTCUSDT", default)).Unwrap().Quantity);
        output.WriteLine((await ex.CancelAllOrdersAsync("BTCUSDT", default)).ToString());
        output.WriteLine((await ex.GetAccountAsync(default)).Unwrap().ToString());
        Assert.Equal(2, fake.Orders.Count);
    }

    [Theory]
    [InlineData("timeout")]
    [InlineData("drop")]
    [InlineData("500")]
    [InlineData("502")]
    [InlineData("503u")]
    [InlineData("1007")]
    [InlineData("1007noexec")]
    [InlineData("transient")]
    [InlineData("1021")]
    [InlineData("dropbefore")]
    [InlineData("503sv")]
    public async Task Faults_never_double_an_order(string kind)
    {
        var (fake, clock) = await StartAsync();
        await using var _f = fake;
        var fault = kind switch
        {
            "timeout" => Fault.TimeoutAfterAccept with { Delay = TimeSpan.FromSeconds(5) },
            "drop" => Fault.DropAfterAccept,
            "500" => Fault.Http500,
            "502" => Fault.Http502,
            "503u" => Fault.Http503Unknown,
            "1007" => Fault.Timeout1007,
            "1007noexec" => Fault.Timeout1007 with { Execute = false },
            "transient" => Fault.TransientNotFound,
            "1021" => Fault.Reject1021,
            "dropbefore" => Fault.DropBeforeAccept,
            "503sv" => Fault.Http503ServiceUnavailable,
            _ => throw new ArgumentException(kind),
        };
        var options = new BinanceOptions { RequestTimeout = TimeSpan.FromSeconds(2), RecvWindow = TimeSpan.FromSeconds(1), ReconcileMargin = TimeSpan.FromMilliseconds(500), ReconcilePollInterval = TimeSpan.FromMilliseconds(200) };
        await using var ex = new BinanceExchange(BinanceEnvironment.Local(new Uri(fake.RestBaseUrl)), new BinanceCredentials("k-123456789", "s-abcdef"), TimeProvider.System, options);
        (await ex.GetSymbolRulesAsync("BTCUSDT", default)).Unwrap();
        if (kind == "transient") fake.Faults.OnNext("GET /fapi/v1/order", fault, 3);
        if (kind == "transient") fake.Faults.OnNext("POST /fapi/v1/order", Fault.Http503Unknown);
        else fake.Faults.OnNext("POST /fapi/v1/order", fault);
        var retry = new OperationRetry(TimeProvider.System);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var r = await retry.RunAsync(c => ex.PlaceMarketOrderAsync(new MarketOrderRequest("BTCUSDT", OrderSide.Buy, 0.05, false, "afml-20261202_041418-9", 20500), c), default,
            (a, e) => output.WriteLine($"retry {a}: {e}"));
        output.WriteLine($"{kind}: {r.Data?.ToString() ?? r.Error!.ToString()} in {sw.ElapsedMilliseconds} ms; orders at venue {fake.Orders.Count}; requests {string.Join(", ", fake.RequestLog.Entries.Select(x => x.Endpoint + ":" + x.Status + (x.ErrorCode is { } ec ? "(" + ec + ")" : "")))}");
        Assert.True(r.Success, r.Error?.ToString());
        Assert.Single(fake.Orders);
        Assert.Equal(0.05, (await ex.GetPositionAsync("BTCUSDT", default)).Unwrap().Quantity, 9);
    }

    [Fact]
    public async Task Feed_history_and_stream_with_a_drop()
    {
        var (fake, clock) = await StartAsync();
        await using var _f = fake;
        var log = new List<string>();
        await using var feed = new BinanceMarketFeed(BinanceEnvironment.Local(new Uri(fake.RestBaseUrl)), "BTCUSDT", CandleInterval.Parse("1h"), 30, TimeProvider.System,
            new BinanceFeedOptions { StreamBelow = TimeSpan.MaxValue, ReconnectInitialDelay = TimeSpan.FromMilliseconds(100) }, log: log.Add);
        var history = await feed.LoadHistoryAsync(default);
        Assert.Equal(30, history.Count);
        Assert.Equal(Start + 49 * Hour, history[^1].OpenTime);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var got = new List<Candle>();
        var consume = Task.Run(async () =>
        {
            await foreach (var c in feed.StreamClosedCandlesAsync(cts.Token)) { got.Add(c); if (got.Count == 6) break; }
        });
        Assert.True(await fake.WaitForMarketConnectionsAsync(1, TimeSpan.FromSeconds(10)));
        for (var i = 0; i < 6; i++)
        {
            if (i == 2) fake.Faults.OnNext(FaultEndpoints.KlineStream, Fault.StreamDropMidCandle);
            if (i == 4) fake.Faults.OnNext(FaultEndpoints.KlineStream, Fault.StreamDuplicate);
            clock.Advance(TimeSpan.FromHours(1));
            await fake.PublishNextCandleAsync(new CandlePublishOptions { Updates = 2 });
            await Task.Delay(300);
            if (i == 2) { clock.Advance(TimeSpan.FromSeconds(1)); }
        }
        try { await consume.WaitAsync(TimeSpan.FromSeconds(30)); }
        finally
        {
            foreach (var l in log) output.WriteLine(l);
            output.WriteLine("got: " + string.Join(",", got.Select(c => (c.OpenTime - Start) / Hour)));
        }
        Assert.Equal(Enumerable.Range(50, 6).Select(i => Start + i * Hour), got.Select(c => c.OpenTime));
        Assert.Equal(Candles(100).Skip(50).Take(6), got);
    }
}
