using Afml.Core;
using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;
using Afml.Core.MarketData;
using Afml.FakeBinance;

namespace Afml.Tests.Exchange.Binance;

/// <summary>The account as it really is, over real sockets on the fake: position mode, multi-assets mode, margin type,
/// leverage from where v3 keeps it.</summary>
public class AccountConfigurationTests
{
    private const long Start = 1_672_531_200_000;
    private const long Hour = 3_600_000;
    internal const string Key = "k-123456789", Secret = "s-abcdef";

    internal static async Task<FakeBinanceServer> StartFakeAsync(Func<FakeBinanceOptions, FakeBinanceOptions>? adjust = null, TimeProvider? clock = null)
    {
        var candles = Enumerable.Range(0, 100).Select(i =>
        {
            var close = 20_000.0 + 10 * i;
            return new Candle(Start + i * Hour, close - 5, close + 20, close - 25, close, 100 + i);
        }).ToArray();
        var o = new FakeBinanceOptions
        {
            Candles = candles, ClosedCandlesAtStart = 50, ApiKey = Key, ApiSecret = Secret,
            Clock = clock ?? Afml.FakeBinance.ManualClock.AtUnixMilliseconds(Start + 50 * Hour + 1_000), PingInterval = TimeSpan.Zero,
        };
        return await FakeBinanceServer.StartAsync(adjust?.Invoke(o) ?? o);
    }

    internal static BinanceExchange Exchange(FakeBinanceServer fake, BinanceOptions? options = null, Action<string>? log = null, TimeProvider? time = null) =>
        new(BinanceEnvironment.Local(new Uri(fake.RestBaseUrl)), new BinanceCredentials(Key, Secret), time ?? TimeProvider.System, options, log: log);

    private static MarketOrderRequest Buy(string id, double qty = 0.01) => new("BTCUSDT", OrderSide.Buy, qty, false, id, 20_500);

    [Fact]
    public async Task A_hedge_mode_account_is_refused_at_start_and_never_receives_an_order()
    {
        await using var fake = await StartFakeAsync();
        fake.Modes.DualSidePosition = true;
        var logs = new List<string>();
        await using var ex = Exchange(fake, log: logs.Add);

        var refusal = await Assert.ThrowsAsync<AfmlException>(() => ex.SetLeverageAsync("BTCUSDT", 5, default));
        Assert.Equal("HedgeModeUnsupported", refusal.ErrorId);
        Assert.Contains("One-way", refusal.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("dualSidePosition=false", refusal.Message);
        Assert.Contains(logs, l => l.Contains("hedge", StringComparison.Ordinal));

        // Even a caller that ignores the refusal (an emergency close included) gets no order to the venue.
        var order = await ex.PlaceMarketOrderAsync(Buy("afml-t-1"), default);
        var close = await ex.PlaceMarketOrderAsync(new MarketOrderRequest("BTCUSDT", OrderSide.Sell, 0.01, true, "afml-t-em", 20_500), default);
        Assert.False(order.Success);
        Assert.False(close.Success);
        Assert.StartsWith("HedgeModeUnsupported", order.Error!.Message);
        Assert.Empty(fake.RequestLog.For("POST /fapi/v1/order"));
        Assert.Empty(fake.RequestLog.For("POST /fapi/v1/leverage"));
    }

    [Fact]
    public async Task Hedge_legs_are_reported_never_netted()
    {
        await using var fake = await StartFakeAsync();
        // The captured hedge account: LONG 20 @ 6563.665 and SHORT -5 @ 6600 (netting gave "15 @ 6600").
        fake.Modes.DualSidePosition = true;
        fake.Modes.SetHedgeLegs((20m, 6563.6m), (-5m, 6600m)); // the fake prints prices at the symbol's 2 decimals
        await using var ex = Exchange(fake);

        var position = await ex.GetPositionAsync("BTCUSDT", default);

        Assert.False(position.Success);
        Assert.Contains("LONG 20 @ 6563.6", position.Error!.Message);
        Assert.Contains("SHORT -5 @ 6600", position.Error.Message);
        Assert.Contains("not netted", position.Error.Message);
    }

    [Fact]
    public async Task The_captured_hedge_position_risk_is_not_netted_by_the_parser_either()
    {
        var stub = new StubBinance(TimeProvider.System);
        var body = File.ReadAllText(Path.Combine(TestData.SharedDir, "docs", "binance-captures", "positionRisk_hedge.json"));
        stub.On("GET /fapi/v3/positionRisk", _ => StubBinance.Json(body));
        await using var ex = new BinanceExchange(BinanceEnvironment.Local(new Uri("http://127.0.0.1:9")), new BinanceCredentials("k", "s"), TimeProvider.System, handler: stub);
        var r = await ex.GetPositionAsync("BTCUSDT", default);
        Assert.False(r.Success);
        Assert.Contains("LONG 20 @ 6563.665", r.Error!.Message);
    }

    [Fact]
    public async Task Multi_assets_capital_is_the_USDT_asset_alone_and_the_log_says_so()
    {
        await using var fake = await StartFakeAsync(o => o with { InitialBalance = 3.72964781m });
        fake.Modes.MultiAssetsMargin = true;
        fake.Modes.OtherCollateral = 22m;
        var logs = new List<string>();
        await using var ex = Exchange(fake, log: logs.Add);

        var account = (await ex.GetAccountAsync(default)).Unwrap();

        Assert.Equal(3.72964781, account.WalletBalance, 8);
        Assert.True(account.AvailableBalance <= account.MarginBalance);
        Assert.Contains(logs, l => l.Contains("multi-assets", StringComparison.Ordinal) && l.Contains("USDT", StringComparison.Ordinal));
    }

    [Fact]
    public void The_captured_multi_assets_account_gives_the_USDT_figures_not_the_USD_totals()
    {
        var body = File.ReadAllText(Path.Combine(TestData.SharedDir, "docs", "binance-captures", "account_v3.json"));
        var a = BinanceAccountReader.ParseUsdtAccount(body, multiAssets: true);
        Assert.Equal(3.72964781, a.WalletBalance, 8);        // not totalWalletBalance 25.73
        Assert.Equal(4.27203287, a.MarginBalance, 8);
        Assert.Equal(0, a.AvailableBalance, 8);               // USDT's own margin is already used: 4.27 - 7.59 < 0
    }

    [Fact]
    public async Task Margin_type_and_leverage_are_read_logged_and_the_configured_margin_type_is_set()
    {
        await using var fake = await StartFakeAsync(o => o with { InitialLeverage = 7 });
        var logs = new List<string>();
        await using var ex = Exchange(fake, new BinanceOptions { MarginType = "ISOLATED" }, logs.Add);

        Assert.True((await ex.SetLeverageAsync("BTCUSDT", 5, default)).Unwrap());

        Assert.Contains(logs, l => l.Contains("one-way", StringComparison.Ordinal) && l.Contains("margen cross", StringComparison.Ordinal) && l.Contains("7x", StringComparison.Ordinal));
        Assert.Equal("isolated", fake.Modes.MarginType);
        Assert.Equal("ISOLATED", System.Web.HttpUtility.ParseQueryString(fake.RequestLog.For("POST /fapi/v1/marginType").Single().Query)["marginType"]);
        Assert.Equal("isolated", ex.Settings!.MarginType);
        // v3 positionRisk has no leverage: the one set is reported.
        Assert.Equal(5, (await ex.GetPositionAsync("BTCUSDT", default)).Unwrap().Leverage);
        Assert.NotEmpty(fake.RequestLog.For("GET /fapi/v3/positionRisk"));
        Assert.Empty(fake.RequestLog.For("GET /fapi/v2/positionRisk"));
    }

    [Fact]
    public async Task A_margin_type_change_refused_by_an_open_position_is_a_clear_error()
    {
        await using var fake = await StartFakeAsync();
        await using (var first = Exchange(fake))
        {
            Assert.True((await first.SetLeverageAsync("BTCUSDT", 5, default)).Unwrap());
            (await first.PlaceMarketOrderAsync(Buy("afml-t-open"), default)).Unwrap();
        }
        await using var ex = Exchange(fake, new BinanceOptions { MarginType = "ISOLATED" });
        var e = await Assert.ThrowsAsync<AfmlException>(() => ex.SetLeverageAsync("BTCUSDT", 5, default));
        Assert.Equal("MarginTypeChangeFailed", e.ErrorId);
        Assert.Contains("-4048", e.Message);
    }
}
