using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Afml.Tests.FakeBinance;

public sealed class StreamTests
{
    private static async Task<List<JsonElement>> ReceiveManyAsync(ClientWebSocket ws, int count)
    {
        var list = new List<JsonElement>();
        for (var i = 0; i < count; i++)
            list.Add(await FakeVenue.ReceiveAsync(ws) ?? throw new Xunit.Sdk.XunitException($"stream ended after {i} of {count} frames"));
        return list;
    }

    [Fact]
    public async Task Raw_kline_stream_sends_updates_then_the_final_bar()
    {
        await using var venue = await FakeVenue.StartAsync();
        using var ws = await venue.ConnectAsync(venue.Server.MarketStreamBaseUrl + "/ws/btcusdt@kline_1h", () => venue.Server.MarketConnectionCount, 1);
        Assert.True(await venue.Server.PublishNextCandleAsync());

        var events = await ReceiveManyAsync(ws, 4);
        Assert.All(events, e => Assert.Equal("kline", e.GetProperty("e").GetString()));
        Assert.Equal([false, false, false, true], events.Select(e => e.GetProperty("k").GetProperty("x").GetBoolean()).ToArray());
        var final = events[^1].GetProperty("k");
        Assert.Equal(FakeVenue.Start + 50 * FakeVenue.Hour, final.GetProperty("t").GetInt64());
        Assert.Equal(FakeVenue.Start + 51 * FakeVenue.Hour - 1, final.GetProperty("T").GetInt64());
        Assert.Equal("20500.00", final.GetProperty("c").GetString());
        Assert.Equal("1h", final.GetProperty("i").GetString());
        Assert.All(events, e => Assert.Equal(final.GetProperty("t").GetInt64(), e.GetProperty("k").GetProperty("t").GetInt64()));
        Assert.Equal(20_500m, venue.Server.CurrentPrice);
        Assert.Equal(50, venue.Server.LastClosedCandleIndex);
    }

    [Fact]
    public async Task Combined_stream_wraps_events_and_subscribe_is_acknowledged()
    {
        await using var venue = await FakeVenue.StartAsync();
        using var ws = await venue.ConnectAsync(venue.Server.MarketStreamBaseUrl + "/stream?streams=ethusdt@kline_1h", () => venue.Server.MarketConnectionCount, 1);
        await ws.SendAsync(Encoding.UTF8.GetBytes("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@kline_1h\"],\"id\":7}"), WebSocketMessageType.Text, true, default);
        var ack = await FakeVenue.ReceiveAsync(ws);
        Assert.Equal(7, ack!.Value.GetProperty("id").GetInt32());
        Assert.Equal(JsonValueKind.Null, ack.Value.GetProperty("result").ValueKind);

        await venue.Server.PublishNextCandleAsync(new global::Afml.FakeBinance.CandlePublishOptions { Updates = 0 });
        var frame = await FakeVenue.ReceiveAsync(ws);
        Assert.Equal("btcusdt@kline_1h", frame!.Value.GetProperty("stream").GetString());
        Assert.True(frame.Value.GetProperty("data").GetProperty("k").GetProperty("x").GetBoolean());
    }

    [Fact]
    public async Task Legacy_unrouted_path_connects_but_carries_no_klines()
    {
        await using var venue = await FakeVenue.StartAsync();
        using var legacy = await venue.ConnectAsync($"ws://127.0.0.1:{venue.Server.Port}/ws/btcusdt@kline_1h", () => venue.Server.MarketConnectionCount, 1);
        using var routed = await venue.ConnectAsync(venue.Server.MarketStreamBaseUrl + "/ws/btcusdt@kline_1h", () => venue.Server.MarketConnectionCount, 2);
        await venue.Server.PublishNextCandleAsync(new global::Afml.FakeBinance.CandlePublishOptions { Updates = 0 });
        Assert.NotNull(await FakeVenue.ReceiveAsync(routed));
        Assert.Null(await FakeVenue.ReceiveAsync(legacy, timeoutMs: 300));
    }

    [Fact]
    public async Task User_stream_reports_the_order_and_the_account_change()
    {
        await using var venue = await FakeVenue.StartAsync();
        var key = (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/listenKey", signed: false)).Str("listenKey");
        Assert.Equal(key, (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/listenKey", signed: false)).Str("listenKey")); // same key while active
        using var ws = await venue.ConnectAsync(venue.Server.PrivateStreamBaseUrl + "/ws/" + key, () => venue.Server.UserConnectionCount, 1);

        await venue.MarketOrderAsync("BUY", "0.050", "u-1", respType: "ACK");
        var events = await ReceiveManyAsync(ws, 3);
        Assert.Equal(["ORDER_TRADE_UPDATE", "ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE"], events.Select(e => e.GetProperty("e").GetString()!).ToArray());
        var trade = events[1].GetProperty("o");
        Assert.Equal(("u-1", "TRADE", "FILLED"), (trade.GetProperty("c").GetString(), trade.GetProperty("x").GetString(), trade.GetProperty("X").GetString()));
        Assert.Equal("0.050", trade.GetProperty("z").GetString());
        Assert.Equal("USDT", trade.GetProperty("N").GetString());
        var position = events[2].GetProperty("a").GetProperty("P")[0];
        Assert.Equal("0.050", position.GetProperty("pa").GetString());
    }

    [Fact]
    public async Task Listen_key_keepalive_expiry_and_minus_1125()
    {
        await using var venue = await FakeVenue.StartAsync(o => o with { ListenKeyTtl = TimeSpan.FromMinutes(60) });
        var key = (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/listenKey", signed: false)).Str("listenKey");
        using var ws = await venue.ConnectAsync(venue.Server.PrivateStreamBaseUrl + "/ws?listenKey=" + key + "&events=ORDER_TRADE_UPDATE", () => venue.Server.UserConnectionCount, 1);
        Assert.Equal(200, (await venue.SendAsync(HttpMethod.Put, "/fapi/v1/listenKey", signed: false)).Status);
        Assert.Equal(200, (await venue.SendAsync(HttpMethod.Put, "/fapi/v1/listenKey", "listenKey=" + key, signed: false)).Status);

        venue.Clock.Advance(TimeSpan.FromMinutes(61));
        var expired = await FakeVenue.ReceiveAsync(ws); // the housekeeping loop notices within its period
        Assert.Equal("listenKeyExpired", expired!.Value.GetProperty("e").GetString());
        Assert.Equal(key, expired.Value.GetProperty("listenKey").GetString());
        var put = await venue.SendAsync(HttpMethod.Put, "/fapi/v1/listenKey", signed: false);
        Assert.Equal((400, -1125), (put.Status, put.Code));
        var fresh = (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/listenKey", signed: false)).Str("listenKey");
        Assert.NotEqual(key, fresh);
    }

    [Fact]
    public async Task Deleting_the_listen_key_closes_its_stream()
    {
        await using var venue = await FakeVenue.StartAsync();
        var key = (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/listenKey", signed: false)).Str("listenKey");
        using var ws = await venue.ConnectAsync(venue.Server.PrivateStreamBaseUrl + "/ws/" + key, () => venue.Server.UserConnectionCount, 1);
        Assert.Equal(200, (await venue.SendAsync(HttpMethod.Delete, "/fapi/v1/listenKey", "listenKey=" + key, signed: false)).Status);
        Assert.Null(await FakeVenue.ReceiveAsync(ws));
        Assert.Null(venue.Server.ActiveListenKey);
        Assert.Equal(-1125, (await venue.SendAsync(HttpMethod.Put, "/fapi/v1/listenKey", signed: false)).Code);
        using var rejected = new ClientWebSocket();
        await Assert.ThrowsAsync<WebSocketException>(() => rejected.ConnectAsync(new Uri(venue.Server.PrivateStreamBaseUrl + "/ws/" + key), default));
    }

    [Fact]
    public async Task Explicit_listen_key_expiry_and_server_side_drop()
    {
        await using var venue = await FakeVenue.StartAsync();
        var key = (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/listenKey", signed: false)).Str("listenKey");
        using var user = await venue.ConnectAsync(venue.Server.PrivateStreamBaseUrl + "/ws/" + key, () => venue.Server.UserConnectionCount, 1);
        using var market = await venue.ConnectAsync(venue.Server.MarketStreamBaseUrl + "/ws/btcusdt@kline_1h", () => venue.Server.MarketConnectionCount, 1);
        venue.Server.ExpireListenKey();
        Assert.Equal("listenKeyExpired", (await FakeVenue.ReceiveAsync(user))!.Value.GetProperty("e").GetString());
        venue.Server.DropMarketStreams();
        Assert.Null(await FakeVenue.ReceiveAsync(market));
        Assert.NotEqual(WebSocketState.Open, market.State);
    }

    [Fact]
    public async Task Too_many_client_messages_get_the_connection_dropped()
    {
        await using var venue = await FakeVenue.StartAsync(o => o with { MaxIncomingMessagesPerSecond = 3 });
        using var ws = await venue.ConnectAsync(venue.Server.MarketStreamBaseUrl + "/ws", () => venue.Server.MarketConnectionCount, 1);
        for (var i = 1; i <= 10 && ws.State == WebSocketState.Open; i++)
        {
            try { await ws.SendAsync(Encoding.UTF8.GetBytes($"{{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":{i}}}"), WebSocketMessageType.Text, true, default); }
            catch (WebSocketException) { break; }
        }
        for (var i = 0; i < 5; i++)
            if (await FakeVenue.ReceiveAsync(ws, 2000) is null) break;
        Assert.NotEqual(WebSocketState.Open, ws.State);
    }
}
