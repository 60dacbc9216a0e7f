using Afml.FakeBinance;
using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;

namespace Afml.Tests.Exchange.Binance;

/// <summary>commissionAsset over real sockets on the fake: a fee paid in BNB is booked at its USDT value at the fill's
/// time, and the raw BNB amount is kept beside it.</summary>
public class CommissionAssetTests
{
    [Fact]
    public async Task A_BNB_commission_books_its_USDT_value_at_the_BNBUSDT_price_and_keeps_the_raw_amount()
    {
        await using var fake = await AccountConfigurationTests.StartFakeAsync();
        fake.Modes.FeeBurn = true;
        fake.Modes.BnbPrice = 612.5m;
        await using var ex = AccountConfigurationTests.Exchange(fake);

        var fill = (await ex.PlaceMarketOrderAsync(new MarketOrderRequest("BTCUSDT", OrderSide.Buy, 0.05, false, "afml-bnb-1", 20_500), default)).Unwrap();

        var trade = fake.Trades.Single();
        Assert.Equal("BNB", trade.CommissionAsset);
        var charge = Assert.Single(fill.Charges!);
        Assert.Equal("BNB", charge.Asset);
        Assert.Equal(trade.Commission, charge.Amount);
        Assert.Equal(trade.Commission * 612.5m, charge.UsdtValue);
        Assert.Equal((double)(trade.Commission * 612.5m), fill.Commission, 10);
        // Not the raw BNB amount booked as if it were USDT (the old bug), nor the undiscounted USDT fee.
        Assert.NotEqual((double)trade.Commission, fill.Commission);
        Assert.Equal("BNB", fill.CommissionAsset);
        Assert.Single(fake.RequestLog.For("GET /fapi/v1/ticker/price"));
    }

    [Fact]
    public async Task The_captured_mixed_USDT_and_BNB_trades_sum_per_asset()
    {
        var stub = new StubBinance(TimeProvider.System);
        stub.On("GET /fapi/v1/userTrades", _ => StubBinance.Json(File.ReadAllText(Path.Combine(TestData.SharedDir, "docs", "binance-captures", "userTrades.json"))));
        stub.On("GET /fapi/v1/ticker/price", r => StubBinance.Json($"{{\"symbol\":\"{r.Param("symbol")}\",\"price\":\"600.0\",\"time\":1}}"));
        var rest = new BinanceRestClient(BinanceEnvironment.Local(new Uri("http://127.0.0.1:9")), new BinanceOptions(), TimeProvider.System, new BinanceCredentials("k", "s"), stub);
        using var _ = rest;

        var (usdt, charges) = await new BinanceCommissions(rest).ReadAsync("BTCUSDT", 3524852987, default);

        // 0.1462684 USDT + 0.00001 BNB at 600 = 0.1522684 USDT, not 0.1462784 (the BNB amount added as USDT).
        Assert.Equal(0.1462684m + 0.006m, usdt);
        Assert.Equal(["USDT", "BNB"], charges.Select(c => c.Asset));
        Assert.Equal("USDT+BNB", new OrderFill("x", 1, OrderSide.Buy, OrderStatus.Filled, 0.01, 1, (double)usdt!.Value, Charges: charges).CommissionAsset);
        Assert.Equal("BNBUSDT", stub.Requests.Single(r => r.Path == "/fapi/v1/ticker/price").Param("symbol"));
    }

    [Fact]
    public async Task The_BNBUSDT_price_is_kept_and_refreshed_in_the_background_on_the_clock_and_read_again_only_when_too_old()
    {
        await using var fake = await AccountConfigurationTests.StartFakeAsync();
        fake.Modes.BnbPrice = 600m;
        var clock = new ManualClock();
        using var rest = new BinanceRestClient(BinanceEnvironment.Local(new Uri(fake.RestBaseUrl)), new BinanceOptions(), clock);
        await using var prices = new BinanceConversionPrices(rest, clock, TimeSpan.FromSeconds(60), new BinanceRestTurns());
        int Tickers() => fake.RequestLog.For("GET /fapi/v1/ticker/price").Count;
        async Task Eventually(Func<bool> done) { for (var i = 0; i < 500 && !done(); i++) await Task.Delay(10); Assert.True(done()); }
        Task RefresherWaiting() => Eventually(() => clock.NextDue == clock.GetUtcNow() + TimeSpan.FromSeconds(60)); // its next period is armed

        Assert.Equal(600m, await prices.PriceAsync("BNBUSDT", default));  // the first fill that needs it reads it
        fake.Modes.BnbPrice = 650m;
        await RefresherWaiting();
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(600m, await prices.PriceAsync("BNBUSDT", default));  // kept: no call
        Assert.Equal(1, Tickers());

        clock.Advance(TimeSpan.FromSeconds(1));                           // the refresh period: one background read
        await Eventually(() => Tickers() == 2);
        await Eventually(() => prices.PriceAsync("BNBUSDT", default).Result == 650m);
        Assert.Equal(2, Tickers());

        // Refreshes failing: the kept price serves until twice the period, then a fill reads it itself, as before.
        fake.Faults.OnNext("GET /fapi/v1/ticker/price", Fault.Http503ServiceUnavailable, times: 2);
        fake.Modes.BnbPrice = 700m;
        await RefresherWaiting();
        clock.Advance(TimeSpan.FromSeconds(60));
        await Eventually(() => Tickers() == 3);
        Assert.Equal(650m, await prices.PriceAsync("BNBUSDT", default));
        await RefresherWaiting();
        clock.Advance(TimeSpan.FromSeconds(60));
        await Eventually(() => Tickers() == 4);
        Assert.Equal(700m, await prices.PriceAsync("BNBUSDT", default));  // 120 s old: read in place
        Assert.Equal(5, Tickers());
        Assert.Equal(5, prices.Reads);
    }
}
