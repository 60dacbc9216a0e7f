using System.Globalization;
using Afml.Core.Exchange.Binance;
using Afml.Core.Recording;
using Afml.Core.Session;
using Xunit.Abstractions;

namespace Afml.Tests.Session;

/// <summary>
/// A testnet session over real sockets on the fake with a healthy user-data stream: between a candle's close and the
/// end of its step the fake receives exactly one REST request, the order (account, position and the fill's commission
/// come from the stream), and the registro is the one the all-REST path writes, figure by figure.
/// </summary>
public class HealthyStreamStepTests(ITestOutputHelper output)
{
    private const int First = 18_000, History = 600;

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Row(RegistroRow x) => I($"{x.Paso} {x.TipoAccion} {x.Operacion} {x.Resultado} {x.Cantidad} {x.PrecioEntrada} {x.Comision:R} {x.ComisionActivo} {x.ComisionMoneda} {x.PnlRealizado:R} {x.Balance:F8} {x.Equity:F8} {x.CantidadActiva}");

    [Fact]
    public async Task A_healthy_stream_step_makes_one_REST_call_the_order_and_books_what_the_REST_path_books()
    {
        const int steps = 24;
        // The fake's clock jumps an hour a candle: a listenKey that outlives the run keeps the stream up, and the session
        // runs on that same clock (as a client's runs with Binance's): no order meets a stale time offset (-1021), and the
        // hour's jump stands for the real hour in which the background resync keeps the offset fresh.
        await using var s = await FakeVenueSession.StartAsync(First, History, steps, o => o with { ListenKeyTtl = TimeSpan.FromDays(3) });
        BinanceExchange? exchange = null;
        var marks = new List<int>(); // request-log length as each candle is published
        var summary = await s.RunAsync(s.Options(VenueKind.Testnet, steps), steps, _ => marks.Add(s.Fake.RequestLog.Count),
            host: h => h with { Time = s.Clock }, started: h => exchange = (BinanceExchange)h.Parts.Exchange);

        // Step i's window: from its candle's publication to the next publication (the harness waits for step i first).
        var log = s.Fake.RequestLog.Entries;
        var windows = marks.Zip(marks.Skip(1), (from, to) => log.Skip(from).Take(to - from).Select(r => r.Endpoint).ToList()).ToList();
        for (var k = 0; k < Math.Min(4, windows.Count); k++) output.WriteLine(I($"step {k + 1}: {string.Join(", ", log.Skip(marks[k]).Take(marks[k + 1] - marks[k]).Select(e => $"{e.Endpoint}?{e.Query[..Math.Min(60, e.Query.Length)]} @{e.ServerTime:HH:mm:ss.fff}"))}"));
        // The account side never reads REST on a healthy stream, from the first step on.
        string[] accountReads = ["GET /fapi/v3/account", "GET /fapi/v3/positionRisk", "GET /fapi/v1/userTrades", "GET /fapi/v1/order", "GET /fapi/v1/ticker/price"];
        Assert.Empty(windows.SelectMany(w => w.Where(accountReads.Contains)));
        // The kline feed backfills over REST right after its stream connects (market data on its own client, not the
        // account: GET time + klines, once or twice early in the run): left out; what remains is the account side.
        string[] feed = ["GET /fapi/v1/klines", "GET /fapi/v1/time"];
        var feedCalls = windows.Sum(w => w.Count(feed.Contains));
        windows = windows.Select(w => w.Where(e => !feed.Contains(e)).ToList()).ToList();
        // The protective stop (issue 10) is kept after the fill, never between the close and the order: every algo call
        // in a step comes after its order; they are counted apart and left out of the step's REST calls.
        const string Algo = "/fapi/v1/algoOrder";
        foreach (var w in windows.Where(w => w.Any(e => e.EndsWith(Algo, StringComparison.Ordinal))))
            Assert.True(w.IndexOf("POST /fapi/v1/order") is var at && at >= 0 && w.Take(at).All(e => !e.EndsWith(Algo, StringComparison.Ordinal)), "a protective-stop call came before the step's order: " + string.Join(", ", w));
        var guardCalls = windows.Sum(w => w.Count(e => e.EndsWith(Algo, StringComparison.Ordinal)));
        windows = windows.Select(w => w.Where(e => !e.EndsWith(Algo, StringComparison.Ordinal)).ToList()).ToList();
        var orderSteps = windows.Count(w => w.Contains("POST /fapi/v1/order"));
        var extra = windows.SelectMany(w => w.Where(e => e != "POST /fapi/v1/order")).ToList();
        TestReport.Write(output, I($"fault-suite: healthy-stream steps={summary.Steps} steps-with-order={orderSteps} rest-calls-per-order-step={(orderSteps == 0 ? 0 : windows.Where(w => w.Contains("POST /fapi/v1/order")).Average(w => w.Count)):F2} other-rest-calls={extra.Count} ({string.Join(",", extra.Distinct())}) feed-backfill-calls={feedCalls} protective-stop-upkeep-calls={guardCalls} (after the order) commission-from-stream={exchange!.StreamCommissions} from-userTrades={exchange.RestCommissions}"));
        Assert.Equal(steps, summary.Steps);
        Assert.True(orderSteps >= 5, $"only {orderSteps} steps sent an order");
        Assert.Empty(extra);
        Assert.All(windows, w => Assert.True(w.Count <= 1, string.Join(", ", w)));
        Assert.Equal(0, exchange.RestCommissions);
        Assert.True(exchange.StreamCommissions >= orderSteps);
        Assert.Empty(s.Fake.RequestLog.For("GET /fapi/v1/userTrades"));
        // The stream reports a stop's trigger: the stop is never asked for (only a stream that is down costs that GET).
        Assert.Empty(s.Fake.RequestLog.For("GET /fapi/v1/algoOrder"));

        // The same candles with the stream off (every read over REST, commission from userTrades): the same rows.
        await using var r = await FakeVenueSession.StartAsync(First, History, steps);
        var restOptions = r.Options(VenueKind.Testnet, steps);
        var restSummary = await r.RunAsync(restOptions with { Binance = restOptions.Binance! with { ClientOptions = restOptions.Binance!.ClientOptions! with { UserStream = false } } }, steps);
        Assert.NotEmpty(r.Fake.RequestLog.For("GET /fapi/v1/userTrades"));
        var expected = RegistroReader.Read(restSummary.RegistroPath).Select(Row).ToList();
        var actual = RegistroReader.Read(summary.RegistroPath).Select(Row).ToList();
        Assert.Contains(actual, a => a.Contains("USDT", StringComparison.Ordinal));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task With_BNB_fees_a_healthy_stream_step_still_makes_one_REST_call_and_books_what_the_all_REST_path_books()
    {
        const int steps = 24;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps, o => o with { ListenKeyTtl = TimeSpan.FromDays(3) });
        s.Fake.Modes.FeeBurn = true;
        s.Fake.Modes.BnbPrice = 600m;
        var options = s.Options(VenueKind.Testnet, steps);
        // A refresh period longer than the run: the kept BNBUSDT price is the one read at the first BNB fill.
        options = options with { Binance = options.Binance! with { ClientOptions = options.Binance.ClientOptions! with { CommissionPriceRefresh = TimeSpan.FromMinutes(10) } } };
        BinanceExchange? exchange = null;
        var marks = new List<int>();
        var summary = await s.RunAsync(options, steps, i => { if (i == 0) WaitForStart(s); marks.Add(s.Fake.RequestLog.Count); },
            host: h => h with { Time = s.Clock }, started: h => exchange = (BinanceExchange)h.Parts.Exchange);

        var log = s.Fake.RequestLog.Entries;
        string[] aside = ["GET /fapi/v1/klines", "GET /fapi/v1/time"]; // the kline feed's backfill (its own client)
        var windows = marks.Zip(marks.Skip(1), (from, to) => log.Skip(from).Take(to - from).Select(r => r.Endpoint)
            .Where(e => !aside.Contains(e) && !e.EndsWith("/fapi/v1/algoOrder", StringComparison.Ordinal)).ToList()).ToList();
        var orderWindows = windows.Where(w => w.Contains("POST /fapi/v1/order")).ToList();
        var tickers = s.Fake.RequestLog.For("GET /fapi/v1/ticker/price");
        TestReport.Write(output, I($"fault-suite: bnb-fees healthy-stream steps={summary.Steps} steps-with-order={orderWindows.Count} rest-calls-per-order-step={orderWindows.Average(w => w.Count):F2} ticker-price-calls={tickers.Count} (first BNB fill only) kept-price-answers={exchange!.ConversionPrices.KeptAnswers} commission-from-stream={exchange.StreamCommissions}"));
        Assert.Equal(steps, summary.Steps);
        Assert.True(orderWindows.Count >= 5, $"only {orderWindows.Count} steps sent an order");
        Assert.Single(tickers);
        Assert.All(tickers, t => Assert.Contains("symbol=BNBUSDT", t.Query, StringComparison.Ordinal));
        // The first BNB fill reads the price (the order, then the ticker); every later step is its order alone.
        Assert.Equal(["POST /fapi/v1/order", "GET /fapi/v1/ticker/price"], orderWindows[0]);
        Assert.All(orderWindows.Skip(1), w => Assert.Equal(["POST /fapi/v1/order"], w));
        Assert.All(windows.Where(w => !w.Contains("POST /fapi/v1/order")), Assert.Empty);
        Assert.True(exchange.ConversionPrices.KeptAnswers >= orderWindows.Count - 1);

        // The same candles over REST only (stream off, the price read after each fill): the same rows, figure by figure.
        await using var r = await FakeVenueSession.StartAsync(First, History, steps);
        r.Fake.Modes.FeeBurn = true;
        r.Fake.Modes.BnbPrice = 600m;
        var restOptions = r.Options(VenueKind.Testnet, steps);
        var restSummary = await r.RunAsync(restOptions with { Binance = restOptions.Binance! with { ClientOptions = restOptions.Binance!.ClientOptions! with { UserStream = false, CommissionPriceRefresh = TimeSpan.Zero } } }, steps,
            i => { if (i == 0) WaitForStart(r); }, host: h => h with { Time = r.Clock });
        Assert.True(r.Fake.RequestLog.For("GET /fapi/v1/ticker/price").Count >= orderWindows.Count);
        var expected = RegistroReader.Read(restSummary.RegistroPath).Select(Row).ToList();
        var actual = RegistroReader.Read(summary.RegistroPath).Select(Row).ToList();
        Assert.Contains(actual, a => a.Contains("BNB", StringComparison.Ordinal));
        Assert.Equal(expected, actual);
    }

    /// <summary>Until the session has placed its start's protective stop (the last thing it does before waiting for the
    /// first candle): a candle published earlier moves the fake's price under a session still starting, and the two
    /// runs compared would not decide on the same market (bounded: 30 s).</summary>
    private static void WaitForStart(FakeVenueSession s)
    {
        for (var i = 0; i < 3000 && s.Fake.RequestLog.For("POST /fapi/v1/algoOrder").Count == 0; i++) Thread.Sleep(10);
    }
}
