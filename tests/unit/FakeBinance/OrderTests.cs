namespace Afml.Tests.FakeBinance;

public sealed class OrderTests
{
    // Candle 49 (the last closed at start) closes at 20 000 + 490.
    private const decimal Price = 20_490m;

    [Fact]
    public async Task Market_buy_fills_at_the_close_and_moves_account_and_position()
    {
        await using var venue = await FakeVenue.StartAsync();
        var reply = await venue.MarketOrderAsync("BUY", "0.100", "bot-0001");

        Assert.Equal(200, reply.Status);
        Assert.Equal("FILLED", reply.Str("status"));
        Assert.Equal("bot-0001", reply.Str("clientOrderId"));
        Assert.Equal(Price, reply.Dec("avgPrice"));
        Assert.Equal(0.1m, reply.Dec("executedQty"));
        Assert.Equal(2049m, reply.Dec("cumQuote"));
        Assert.Equal("1", reply.Header("X-MBX-ORDER-COUNT-1M"));
        Assert.Equal("1", reply.Header("X-MBX-ORDER-COUNT-10S"));

        var fee = 2049m * 0.0005m;
        Assert.Equal(10_000m - fee, venue.Server.Account.WalletBalance);
        var account = await venue.SendAsync(HttpMethod.Get, "/fapi/v3/account");
        Assert.Equal(10_000m - fee, account.Dec("totalWalletBalance"));
        var position = account.Json.GetProperty("positions").EnumerateArray().Single();
        Assert.Equal("0.100", position.GetProperty("positionAmt").GetString());
        Assert.False(position.TryGetProperty("entryPrice", out _)); // v3 has no entryPrice

        var risk = await venue.SendAsync(HttpMethod.Get, "/fapi/v2/positionRisk", "symbol=BTCUSDT");
        var v2 = risk.Json.EnumerateArray().Single();
        Assert.Equal("20490.00", v2.GetProperty("entryPrice").GetString());
        Assert.Equal("20", v2.GetProperty("leverage").GetString());
        Assert.NotNull(reply.Header("X-MBX-USED-WEIGHT-1M"));

        var trades = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/userTrades", "symbol=BTCUSDT");
        Assert.Equal(fee, decimal.Parse(trades.Json[0].GetProperty("commission").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Closing_with_reduce_only_realizes_pnl_at_the_new_close()
    {
        await using var venue = await FakeVenue.StartAsync();
        await venue.MarketOrderAsync("BUY", "0.100", "open-1");
        Assert.True(await venue.Server.PublishNextCandleAsync()); // closes at 20 500
        var close = await venue.MarketOrderAsync("SELL", "0.100", "close-1", reduceOnly: true);
        Assert.Equal("FILLED", close.Str("status"));
        Assert.Equal(20_500m, close.Dec("avgPrice"));
        var account = venue.Server.Account;
        Assert.Equal(0m, account.Position("BTCUSDT")!.Amount);
        Assert.Equal(1m, account.TotalRealizedPnl);
        Assert.Equal(10_000m + 1m - (2049m + 2050m) * 0.0005m, account.WalletBalance);
    }

    [Fact]
    public async Task Ack_response_shows_the_order_as_accepted_while_the_book_has_it_filled()
    {
        await using var venue = await FakeVenue.StartAsync();
        var ack = await venue.MarketOrderAsync("BUY", "0.010", "ack-1", respType: "ACK");
        Assert.Equal("NEW", ack.Str("status"));
        Assert.Equal(0m, ack.Dec("executedQty"));
        var query = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/order", "symbol=BTCUSDT&origClientOrderId=ack-1");
        Assert.Equal("FILLED", query.Str("status"));
        Assert.True(query.Json.TryGetProperty("time", out _));
    }

    [Fact]
    public async Task Query_by_client_id_or_order_id_and_unknown_is_minus_2013()
    {
        await using var venue = await FakeVenue.StartAsync();
        var placed = await venue.MarketOrderAsync("SELL", "0.010", "q-1");
        var orderId = placed.Json.GetProperty("orderId").GetInt64();
        var byClient = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/order", "symbol=BTCUSDT&origClientOrderId=q-1");
        var byId = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/order", $"symbol=BTCUSDT&orderId={orderId}");
        var unknown = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/order", "symbol=BTCUSDT&origClientOrderId=never-sent");
        var neither = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/order", "symbol=BTCUSDT");
        Assert.Equal(orderId, byClient.Json.GetProperty("orderId").GetInt64());
        Assert.Equal("q-1", byId.Str("clientOrderId"));
        Assert.Equal((400, -2013, "Order does not exist."), (unknown.Status, unknown.Code, unknown.Str("msg")));
        Assert.Equal(-1102, neither.Code);
        Assert.Equal("q-1", venue.Server.RequestLog.For("GET /fapi/v1/order")[0].ClientOrderId);
    }

    [Fact]
    public async Task Reduce_only_without_a_position_is_minus_2022()
    {
        await using var venue = await FakeVenue.StartAsync();
        var reply = await venue.MarketOrderAsync("SELL", "0.010", "ro-1", reduceOnly: true);
        Assert.Equal((400, -2022), (reply.Status, reply.Code));
        Assert.Empty(venue.Server.Orders);
    }

    [Theory]
    [InlineData("0.0001", -1111)] // more decimals than quantityPrecision
    [InlineData("0.004", -4164)]  // 0.004 × 20490 < 100 notional
    [InlineData("0", -4003)]
    [InlineData("121", -4005)]    // above MARKET_LOT_SIZE maxQty
    [InlineData("20", -2019)]     // 20 × 20490 / 20x > 10 000 USDT
    public async Task Filters_and_margin_reject_with_binance_codes(string qty, int code)
    {
        await using var venue = await FakeVenue.StartAsync();
        var reply = await venue.MarketOrderAsync("BUY", qty, "f-1");
        Assert.Equal(code, reply.Code);
        Assert.Empty(venue.Server.Orders);
    }

    [Fact]
    public async Task Bad_parameters_get_their_codes()
    {
        await using var venue = await FakeVenue.StartAsync();
        Assert.Equal(-1102, (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/order", "symbol=BTCUSDT&side=BUY&type=MARKET")).Code);
        Assert.Equal(-1121, (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/order", "symbol=ETHUSDT&side=BUY&type=MARKET&quantity=1")).Code);
        Assert.Equal(-4120, (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/order", "symbol=BTCUSDT&side=BUY&type=STOP_MARKET&quantity=1")).Code);
        Assert.Equal(-1100, (await venue.MarketOrderAsync("BUY", "0.010", "bad%20id")).Code);
        Assert.Equal(-4015, (await venue.MarketOrderAsync("BUY", "0.010", new string('a', 37))).Code);
        Assert.Equal(-4028, (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/leverage", "symbol=BTCUSDT&leverage=126")).Code);
    }

    [Fact]
    public async Task Filled_client_id_is_accepted_again_by_default_as_binance_documents()
    {
        await using var venue = await FakeVenue.StartAsync();
        await venue.MarketOrderAsync("BUY", "0.010", "dup-1");
        var again = await venue.MarketOrderAsync("BUY", "0.010", "dup-1");
        Assert.Equal("FILLED", again.Str("status"));
        Assert.Equal(2, venue.Server.Orders.Count);
        Assert.Equal(0.02m, venue.Server.Account.Position("BTCUSDT")!.Amount);
    }

    [Fact]
    public async Task Strict_mode_rejects_a_reused_client_id_with_minus_4116()
    {
        await using var venue = await FakeVenue.StartAsync(o => o with { ClientOrderIdReuse = global::Afml.FakeBinance.ClientOrderIdReuse.RejectAnyKnown });
        await venue.MarketOrderAsync("BUY", "0.010", "dup-1");
        var again = await venue.MarketOrderAsync("BUY", "0.010", "dup-1");
        Assert.Equal(-4116, again.Code);
        Assert.Single(venue.Server.Orders);
    }

    [Fact]
    public async Task Open_limit_orders_block_their_id_list_and_cancel_all()
    {
        await using var venue = await FakeVenue.StartAsync();
        const string limit = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.010&price=19000.0&newClientOrderId=lim-1";
        Assert.Equal(200, (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/order", limit)).Status);
        Assert.Equal(-4116, (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/order", limit)).Code);
        Assert.Equal(-4014, (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/order", limit.Replace("19000.0", "19000.05").Replace("lim-1", "lim-2"))).Code);
        Assert.Equal(1, (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/openOrders", "symbol=BTCUSDT")).Json.GetArrayLength());
        var cancel = await venue.SendAsync(HttpMethod.Delete, "/fapi/v1/allOpenOrders", "symbol=BTCUSDT");
        Assert.Equal((200, 200), (cancel.Status, cancel.Code));
        Assert.Equal(0, (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/openOrders", "symbol=BTCUSDT")).Json.GetArrayLength());
        Assert.Equal(-2011, (await venue.SendAsync(HttpMethod.Delete, "/fapi/v1/order", "symbol=BTCUSDT&origClientOrderId=lim-1")).Code);
    }

    [Fact]
    public async Task Account_v2_lists_the_flat_symbol_and_v3_omits_it()
    {
        await using var venue = await FakeVenue.StartAsync();
        var v2 = await venue.SendAsync(HttpMethod.Get, "/fapi/v2/account");
        var v3 = await venue.SendAsync(HttpMethod.Get, "/fapi/v3/account");
        var risk3 = await venue.SendAsync(HttpMethod.Get, "/fapi/v3/positionRisk");
        Assert.Equal(1, v2.Json.GetProperty("positions").GetArrayLength());
        Assert.Equal(0, v3.Json.GetProperty("positions").GetArrayLength());
        Assert.Equal(0, risk3.Json.GetArrayLength());
        Assert.Equal(10_000m, v3.Dec("availableBalance"));
    }
}
