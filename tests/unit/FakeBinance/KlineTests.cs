using System.Text.Json;

namespace Afml.Tests.FakeBinance;

public sealed class KlineTests
{
    private static long OpenTime(JsonElement k) => k[0].GetInt64();

    [Fact]
    public async Task Rest_klines_have_binance_shape()
    {
        await using var venue = await FakeVenue.StartAsync();
        var reply = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/klines", "symbol=BTCUSDT&interval=1h&limit=2", signed: false, apiKey: null);
        Assert.Equal(200, reply.Status);
        var rows = reply.Json.EnumerateArray().ToArray();
        Assert.Equal(2, rows.Length);
        var last = rows[1];
        Assert.Equal(12, last.GetArrayLength());
        Assert.Equal(FakeVenue.Start + 49 * FakeVenue.Hour, last[0].GetInt64());
        Assert.Equal("20485.00", last[1].GetString());
        Assert.Equal("20490.00", last[4].GetString());
        Assert.Equal(JsonValueKind.String, last[5].ValueKind);
        Assert.Equal(FakeVenue.Start + 50 * FakeVenue.Hour - 1, last[6].GetInt64());
        Assert.Equal(JsonValueKind.Number, last[8].ValueKind);
        Assert.Equal("0", last[11].GetString());
        Assert.Equal("1", reply.Header("X-MBX-USED-WEIGHT-1M")); // limit < 100 weighs 1
    }

    [Fact]
    public async Task Default_limit_is_500_and_paging_forward_by_start_time_works()
    {
        await using var venue = await FakeVenue.StartAsync(closed: 100, adjust: o => o with { Candles = FakeVenue.Candles(1600) });
        var latest = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/klines", "symbol=BTCUSDT&interval=1h", signed: false);
        Assert.Equal(100, latest.Json.GetArrayLength()); // only 100 closed so far

        var first = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/klines", $"symbol=BTCUSDT&interval=1h&startTime={FakeVenue.Start + 1}&limit=30", signed: false);
        var page = first.Json.EnumerateArray().ToArray();
        Assert.Equal(30, page.Length);
        Assert.Equal(FakeVenue.Start + FakeVenue.Hour, OpenTime(page[0])); // next boundary after a mid-bar start
        var next = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/klines", $"symbol=BTCUSDT&interval=1h&startTime={OpenTime(page[^1]) + FakeVenue.Hour}&limit=30", signed: false);
        Assert.Equal(OpenTime(page[^1]) + FakeVenue.Hour, OpenTime(next.Json[0]));

        var ending = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/klines", $"symbol=BTCUSDT&interval=1h&endTime={FakeVenue.Start + 10 * FakeVenue.Hour}&limit=3", signed: false);
        Assert.Equal([8L, 9L, 10L], ending.Json.EnumerateArray().Select(k => (OpenTime(k) - FakeVenue.Start) / FakeVenue.Hour).ToArray());
    }

    [Fact]
    public async Task Limits_and_parameters_are_validated()
    {
        await using var venue = await FakeVenue.StartAsync();
        Assert.Equal(400, (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/klines", "symbol=BTCUSDT&interval=1h&limit=1501", signed: false)).Status);
        Assert.Equal(-1121, (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/klines", "symbol=XYZ&interval=1h", signed: false)).Code);
        Assert.Equal(-1120, (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/klines", "symbol=BTCUSDT&interval=7x", signed: false)).Code);
        Assert.Equal(-1102, (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/klines", "symbol=BTCUSDT", signed: false)).Code);
    }

    [Fact]
    public async Task Exchange_info_carries_the_filters_the_client_sizes_with()
    {
        await using var venue = await FakeVenue.StartAsync();
        var info = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/exchangeInfo", signed: false);
        var symbol = info.Json.GetProperty("symbols")[0];
        var filters = symbol.GetProperty("filters").EnumerateArray().ToDictionary(f => f.GetProperty("filterType").GetString()!);
        Assert.Equal("0.001", filters["MARKET_LOT_SIZE"].GetProperty("stepSize").GetString());
        Assert.Equal("100", filters["MIN_NOTIONAL"].GetProperty("notional").GetString());
        Assert.Equal("0.10", filters["PRICE_FILTER"].GetProperty("tickSize").GetString());
        Assert.Equal(3, symbol.GetProperty("quantityPrecision").GetInt32());
    }

    [Fact]
    public async Task Ticker_mark_price_and_position_mode_follow_the_path()
    {
        await using var venue = await FakeVenue.StartAsync();
        Assert.Equal("20490.00", (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/ticker/price", "symbol=BTCUSDT", signed: false)).Str("price"));
        await venue.Server.PublishNextCandleAsync();
        Assert.Equal("20500.00", (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/premiumIndex", "symbol=BTCUSDT", signed: false)).Str("markPrice"));
        Assert.False((await venue.SendAsync(HttpMethod.Get, "/fapi/v1/positionSide/dual")).Json.GetProperty("dualSidePosition").GetBoolean());
        Assert.Null(venue.Server.InProgressCandle);
    }
}
