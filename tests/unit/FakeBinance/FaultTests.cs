using System.Net.WebSockets;
using System.Text.Json;
using Afml.FakeBinance;

namespace Afml.Tests.FakeBinance;

public sealed class FaultTests
{
    private const string NewOrder = FaultEndpoints.NewOrder;

    private static async Task<Reply> QueryAsync(FakeVenue venue, string clientId) =>
        await venue.SendAsync(HttpMethod.Get, "/fapi/v1/order", "symbol=BTCUSDT&origClientOrderId=" + clientId);

    [Fact]
    public async Task Timeout_after_accept_leaves_a_filled_order_the_client_never_heard_of()
    {
        await using var venue = await FakeVenue.StartAsync(httpTimeout: TimeSpan.FromMilliseconds(400));
        venue.Server.Faults.OnNext(NewOrder, Fault.TimeoutAfterAccept with { Delay = TimeSpan.FromSeconds(20) });
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => venue.MarketOrderAsync("BUY", "0.010", "to-1"));
        Assert.Equal("FILLED", (await QueryAsync(venue, "to-1")).Str("status"));
        Assert.Equal(FaultKind.TimeoutAfterAccept, venue.Server.Faults.Applied.Single().Fault.Kind);
        Assert.Empty(venue.Server.Faults.Pending);
    }

    [Fact]
    public async Task Dropped_connection_after_accept_and_before_accept()
    {
        await using var venue = await FakeVenue.StartAsync();
        venue.Server.Faults.OnNext(NewOrder, Fault.DropAfterAccept);
        venue.Server.Faults.OnNext(NewOrder, Fault.DropBeforeAccept);
        await Assert.ThrowsAsync<HttpRequestException>(() => venue.MarketOrderAsync("BUY", "0.010", "drop-1"));
        await Assert.ThrowsAsync<HttpRequestException>(() => venue.MarketOrderAsync("BUY", "0.010", "drop-2"));
        Assert.Equal(200, (await QueryAsync(venue, "drop-1")).Status);
        Assert.Equal(-2013, (await QueryAsync(venue, "drop-2")).Code);
    }

    [Theory]
    [InlineData("500", 500, -1000, true)]
    [InlineData("503-unknown", 503, -1000, true)]
    [InlineData("503-unavailable", 503, -1001, false)]
    [InlineData("503-internal", 503, -1001, false)]
    [InlineData("1008", 503, -1008, false)]
    [InlineData("1007", 400, -1007, true)]
    [InlineData("1007-not-executed", 400, -1007, false)]
    [InlineData("1021", 400, -1021, false)]
    public async Task Error_faults_answer_binance_bodies_with_or_without_execution(string name, int status, int code, bool executed)
    {
        var fault = name switch
        {
            "500" => Fault.Http500,
            "503-unknown" => Fault.Http503Unknown,
            "503-unavailable" => Fault.Http503ServiceUnavailable,
            "503-internal" => Fault.Http503InternalError,
            "1008" => Fault.Throttled1008,
            "1007" => Fault.Timeout1007,
            "1007-not-executed" => Fault.Timeout1007 with { Execute = false },
            _ => Fault.Reject1021,
        };
        await using var venue = await FakeVenue.StartAsync();
        venue.Server.Faults.OnNext(NewOrder, fault);
        var reply = await venue.MarketOrderAsync("BUY", "0.010", "e-1");
        Assert.Equal((status, code), (reply.Status, reply.Code));
        Assert.Equal(executed, (await QueryAsync(venue, "e-1")).Status == 200);
        Assert.Equal(executed ? 1 : 0, venue.Server.Orders.Count);
    }

    [Fact]
    public async Task Gateway_502_has_an_html_body()
    {
        await using var venue = await FakeVenue.StartAsync();
        venue.Server.Faults.OnNext(FaultEndpoints.AnyRest, Fault.Http502 with { Execute = false });
        var reply = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/time", signed: false);
        Assert.Equal(502, reply.Status);
        Assert.StartsWith("<html>", reply.Body);
    }

    [Fact]
    public async Task Rate_limit_429_with_retry_after_then_418_if_the_client_keeps_going()
    {
        await using var venue = await FakeVenue.StartAsync();
        venue.Server.Faults.OnNext(FaultEndpoints.AnyRest, Fault.RateLimited with { RetryAfter = TimeSpan.FromSeconds(5) });
        var limited = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/time", signed: false);
        Assert.Equal((429, -1003), (limited.Status, limited.Code));
        Assert.Equal("5", limited.Header("Retry-After"));
        var banned = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/time", signed: false);
        Assert.Equal((418, -1003), (banned.Status, banned.Code));
        Assert.Equal("120", banned.Header("Retry-After"));
        venue.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(200, (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/time", signed: false)).Status);
    }

    [Fact]
    public async Task Waiting_out_retry_after_avoids_the_ban_and_the_weight_limit_gives_a_natural_429()
    {
        await using var venue = await FakeVenue.StartAsync(o => o with { WeightLimitPerMinute = 3 });
        venue.Server.Faults.OnNext(FaultEndpoints.AnyRest, Fault.RateLimited with { RetryAfter = TimeSpan.FromSeconds(1) });
        Assert.Equal(429, (await venue.SendAsync(HttpMethod.Get, "/fapi/v1/time", signed: false)).Status);
        venue.Clock.Advance(TimeSpan.FromSeconds(1));
        var statuses = new List<int>();
        for (var i = 0; i < 4; i++) statuses.Add((await venue.SendAsync(HttpMethod.Get, "/fapi/v1/time", signed: false)).Status);
        Assert.Equal([200, 200, 429, 418], statuses); // the 429'd call counted too; calling on after a 429 is banned
    }

    [Fact]
    public async Task Transient_not_found_hides_an_existing_order_for_n_queries()
    {
        await using var venue = await FakeVenue.StartAsync();
        await venue.MarketOrderAsync("BUY", "0.010", "tn-1");
        venue.Server.Faults.OnNext(FaultEndpoints.QueryOrder, Fault.TransientNotFound, times: 2);
        Assert.Equal(-2013, (await QueryAsync(venue, "tn-1")).Code);
        Assert.Equal(-2013, (await QueryAsync(venue, "tn-1")).Code);
        Assert.Equal("FILLED", (await QueryAsync(venue, "tn-1")).Str("status"));
    }

    [Fact]
    public async Task Partial_fill_expires_the_market_order_with_reason_9()
    {
        await using var venue = await FakeVenue.StartAsync();
        var key = (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/listenKey", signed: false)).Str("listenKey");
        using var ws = await venue.ConnectAsync(venue.Server.PrivateStreamBaseUrl + "/ws/" + key, () => venue.Server.UserConnectionCount, 1);
        venue.Server.Faults.OnNext(NewOrder, Fault.PartialFill with { FillRatio = 0.4m });
        venue.Server.Faults.OnNext(NewOrder, Fault.ExpireUnfilled);

        var partial = await venue.MarketOrderAsync("BUY", "0.100", "pf-1");
        Assert.Equal(("EXPIRED", 0.04m, 0.1m), (partial.Str("status"), partial.Dec("executedQty"), partial.Dec("origQty")));
        var none = await venue.MarketOrderAsync("BUY", "0.100", "pf-2");
        Assert.Equal(("EXPIRED", 0m), (none.Str("status"), none.Dec("executedQty")));
        Assert.Equal(0.04m, venue.Server.Account.Position("BTCUSDT")!.Amount);

        var events = new List<JsonElement>();
        for (var i = 0; i < 6; i++) events.Add((await FakeVenue.ReceiveAsync(ws))!.Value);
        var expired = events.Where(e => e.GetProperty("e").GetString() == "ORDER_TRADE_UPDATE" && e.GetProperty("o").GetProperty("X").GetString() == "EXPIRED").ToArray();
        Assert.Equal(2, expired.Length);
        Assert.All(expired, e => Assert.Equal("9", e.GetProperty("o").GetProperty("er").GetString()));
    }

    [Fact]
    public async Task Kline_stream_drop_mid_candle_still_closes_the_bar_for_rest_backfill()
    {
        await using var venue = await FakeVenue.StartAsync();
        using var ws = await venue.ConnectAsync(venue.Server.MarketStreamBaseUrl + "/ws/btcusdt@kline_1h", () => venue.Server.MarketConnectionCount, 1);
        venue.Server.Faults.OnNext(FaultEndpoints.KlineStream, Fault.StreamDropMidCandle);
        await venue.Server.PublishNextCandleAsync();
        // Whatever arrived before the drop, the final bar never does and the connection ends.
        for (var i = 0; i < 5; i++)
        {
            var frame = await FakeVenue.ReceiveAsync(ws);
            if (frame is null) break;
            Assert.False(frame.Value.GetProperty("k").GetProperty("x").GetBoolean());
        }
        Assert.NotEqual(WebSocketState.Open, ws.State);
        var klines = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/klines", "symbol=BTCUSDT&interval=1h&limit=1", signed: false);
        Assert.Equal(FakeVenue.Start + 50 * FakeVenue.Hour, klines.Json[0][0].GetInt64());
    }

    [Fact]
    public async Task Late_final_shows_the_open_bar_on_rest_until_it_arrives()
    {
        await using var venue = await FakeVenue.StartAsync();
        using var ws = await venue.ConnectAsync(venue.Server.MarketStreamBaseUrl + "/ws/btcusdt@kline_1h", () => venue.Server.MarketConnectionCount, 1);
        venue.Server.Faults.OnNext(FaultEndpoints.KlineStream, Fault.StreamLateFinal(TimeSpan.FromMilliseconds(500)));
        var publishing = venue.Server.PublishNextCandleAsync(new CandlePublishOptions { Updates = 1 });
        var update = await FakeVenue.ReceiveAsync(ws);
        Assert.False(update!.Value.GetProperty("k").GetProperty("x").GetBoolean());
        Assert.Equal(49, venue.Server.LastClosedCandleIndex); // final held back
        var open = await venue.SendAsync(HttpMethod.Get, "/fapi/v1/klines", "symbol=BTCUSDT&interval=1h&limit=1", signed: false);
        Assert.Equal(FakeVenue.Start + 50 * FakeVenue.Hour, open.Json[0][0].GetInt64());
        Assert.NotEqual("20500.00", open.Json[0][4].GetString()); // still the in-progress close
        Assert.True(await publishing);
        Assert.True((await FakeVenue.ReceiveAsync(ws))!.Value.GetProperty("k").GetProperty("x").GetBoolean());
    }

    [Fact]
    public async Task Duplicate_and_out_of_order_kline_events()
    {
        await using var venue = await FakeVenue.StartAsync();
        using var ws = await venue.ConnectAsync(venue.Server.MarketStreamBaseUrl + "/ws/btcusdt@kline_1h", () => venue.Server.MarketConnectionCount, 1);
        venue.Server.Faults.OnNext(FaultEndpoints.KlineStream, Fault.StreamDuplicate);
        venue.Server.Faults.OnNext(FaultEndpoints.KlineStream, Fault.StreamOutOfOrder);
        await venue.Server.PublishNextCandleAsync(new CandlePublishOptions { Updates = 1 });
        var flags = new List<bool>();
        for (var i = 0; i < 5; i++) flags.Add((await FakeVenue.ReceiveAsync(ws))!.Value.GetProperty("k").GetProperty("x").GetBoolean());
        // update twice, final twice, then the stale update again after the final
        Assert.Equal([false, false, true, true, false], flags);
    }

    [Fact]
    public async Task Duplicate_and_reordered_user_events()
    {
        await using var venue = await FakeVenue.StartAsync();
        var key = (await venue.SendAsync(HttpMethod.Post, "/fapi/v1/listenKey", signed: false)).Str("listenKey");
        using var ws = await venue.ConnectAsync(venue.Server.PrivateStreamBaseUrl + "/ws/" + key, () => venue.Server.UserConnectionCount, 1);
        venue.Server.Faults.OnNext(FaultEndpoints.UserStream, Fault.StreamOutOfOrder);
        venue.Server.Faults.OnNext(FaultEndpoints.UserStream, Fault.StreamDuplicate);
        await venue.MarketOrderAsync("BUY", "0.010", "r-1");
        await venue.MarketOrderAsync("BUY", "0.010", "r-2");
        var types = new List<string>();
        for (var i = 0; i < 9; i++)
        {
            var e = (await FakeVenue.ReceiveAsync(ws))!.Value;
            types.Add(e.GetProperty("e").GetString() + (e.TryGetProperty("o", out var o) ? ":" + o.GetProperty("x").GetString() : ""));
        }
        Assert.Equal(["ACCOUNT_UPDATE", "ORDER_TRADE_UPDATE:TRADE", "ORDER_TRADE_UPDATE:NEW",
                      "ORDER_TRADE_UPDATE:NEW", "ORDER_TRADE_UPDATE:NEW", "ORDER_TRADE_UPDATE:TRADE", "ORDER_TRADE_UPDATE:TRADE", "ACCOUNT_UPDATE", "ACCOUNT_UPDATE"], types);
    }

    [Fact]
    public async Task Latency_delays_then_processes_normally()
    {
        await using var venue = await FakeVenue.StartAsync();
        venue.Server.Faults.OnNext(NewOrder, Fault.Latency(TimeSpan.FromMilliseconds(100)));
        Assert.Equal("FILLED", (await venue.MarketOrderAsync("BUY", "0.010", "lat-1")).Str("status"));
        Assert.Equal(FaultKind.Latency, venue.Server.RequestLog.For(NewOrder).Single().Fault);
    }

    [Fact]
    public void Fault_rules_are_bounded()
    {
        var script = new FaultScript();
        Assert.Throws<ArgumentOutOfRangeException>(() => script.OnNext(NewOrder, Fault.Http500, times: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => script.OnNext(NewOrder, Fault.Http500, times: 1001));
        script.OnNext(NewOrder, Fault.Http500, times: 3);
        Assert.Equal(3, script.Pending.Single().Remaining);
    }
}
