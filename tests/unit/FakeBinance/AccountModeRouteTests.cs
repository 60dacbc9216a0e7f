namespace Afml.Tests.FakeBinance;

/// <summary>The fake's account-configuration, ticker and algo-order routes, each behaviour switchable per test.</summary>
public class AccountModeRouteTests
{
    [Fact]
    public async Task Position_mode_multi_assets_and_margin_type_are_switchable_and_answered_as_Binance_does()
    {
        await using var venue = await FakeVenue.StartAsync();
        Assert.False((await venue.SendAsync(HttpMethod.Get, "/fapi/v1/positionSide/dual")).Json.GetProperty("dualSidePosition").GetBoolean());
        Assert.Equal(200, (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/positionSide/dual", "dualSidePosition=true")).Status);
        Assert.True(venue.Server.Modes.DualSidePosition);
        Assert.Equal(-4059, (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/positionSide/dual", "dualSidePosition=true")).Code);
        Assert.Equal(-4061, (await venue.MarketOrderAsync("BUY", "0.010", "afml-x-1")).Code);

        venue.Server.Modes.MultiAssetsMargin = true;
        venue.Server.Modes.OtherCollateral = 22m;
        Assert.True((await venue.SendAsync(HttpMethod.Get, "/fapi/v1/multiAssetsMargin")).Json.GetProperty("multiAssetsMargin").GetBoolean());
        var account = await venue.SendAsync(HttpMethod.Get, "/fapi/v3/account");
        Assert.Equal(10_022m, account.Dec("totalWalletBalance"));
        Assert.Equal(2, account.Json.GetProperty("assets").GetArrayLength());

        Assert.Equal(200, (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/marginType", "symbol=BTCUSDT&marginType=ISOLATED")).Status);
        Assert.Equal(-4046, (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/marginType", "symbol=BTCUSDT&marginType=ISOLATED")).Code);
        Assert.Equal("ISOLATED", (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/symbolConfig", "symbol=BTCUSDT")).Json[0].GetProperty("marginType").GetString());
        var bracket = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/leverageBracket", "symbol=BTCUSDT");
        Assert.Equal(3, bracket.Json.GetProperty("brackets").GetArrayLength());
    }

    [Fact]
    public async Task Tickers_quote_the_symbol_and_BNBUSDT_and_BNB_fees_show_as_commissionAsset()
    {
        await using var venue = await FakeVenue.StartAsync();
        venue.Server.Modes.FeeBurn = true;
        venue.Server.Modes.BnbPrice = 500m;
        Assert.Equal(500m, (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/ticker/price", "symbol=BNBUSDT", signed: false)).Dec("price"));
        var day = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/ticker/24hr", "symbol=BTCUSDT", signed: false);
        Assert.Equal(venue.Server.CurrentPrice, day.Dec("lastPrice"));
        Assert.Equal(2, (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/ticker/24hr", "", signed: false)).Json.GetArrayLength());

        Assert.Equal(200, (await venue.MarketOrderAsync("BUY", "0.100", "afml-bnb-1")).Status);
        var trade = (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/userTrades", "symbol=BTCUSDT")).Json[0];
        Assert.Equal("BNB", trade.GetProperty("commissionAsset").GetString());
        Assert.Equal(10_000m, venue.Server.Account.WalletBalance); // the fee came out of BNB, not USDT
    }

    [Fact]
    public async Task Conditional_stops_live_on_the_algo_order_API_and_the_order_endpoint_answers_4120()
    {
        await using var venue = await FakeVenue.StartAsync();
        Assert.Equal(-4120, (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/order", "symbol=BTCUSDT&side=SELL&type=STOP_MARKET&stopPrice=19000&closePosition=true")).Code);

        var placed = await venue.SendAsync(HttpMethod.Post, "/fapi/v1/algoOrder", "algoType=CONDITIONAL&symbol=BTCUSDT&side=SELL&type=STOP_MARKET&triggerPrice=19000&closePosition=true&clientAlgoId=afml-stop-1");
        Assert.Equal(200, placed.Status);
        Assert.Equal("NEW", placed.Str("algoStatus"));
        Assert.True(placed.Json.GetProperty("closePosition").GetBoolean());
        var algoId = placed.Json.GetProperty("algoId").GetInt64();
        Assert.Equal("afml-stop-1", (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/algoOrder", $"algoId={algoId}")).Str("clientAlgoId"));
        Assert.Equal(1, (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/openAlgoOrders", "symbol=BTCUSDT")).Json.GetArrayLength());
        Assert.Equal(200, (await venue.SendAsync(HttpMethod.Delete, "/fapi/v1/algoOrder", "clientAlgoId=afml-stop-1")).Status);
        Assert.Equal("CANCELED", (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/algoOrder", $"algoId={algoId}")).Str("algoStatus"));
        Assert.Equal(0, (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/openAlgoOrders")).Json.GetArrayLength());
    }

    [Fact]
    public async Task A_scripted_ban_answers_418_with_the_end_in_the_body_and_counts_what_arrives_during_it()
    {
        await using var venue = await FakeVenue.StartAsync();
        venue.Server.Faults.OnNext("*", Afml.FakeBinance.Fault.Banned(TimeSpan.FromHours(3)));
        var first = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/time", signed: false);
        Assert.Equal(418, first.Status);
        Assert.Null(first.Header("Retry-After"));
        Assert.Contains($"banned until {venue.Now + 3 * FakeVenue.Hour}", first.Body);
        Assert.Equal(418, (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/time", signed: false)).Status);
        Assert.Equal(1, venue.Server.RequestsDuringBan);
        venue.Clock.Advance(TimeSpan.FromHours(3));
        Assert.Equal(200, (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/time", signed: false)).Status);
    }
}
