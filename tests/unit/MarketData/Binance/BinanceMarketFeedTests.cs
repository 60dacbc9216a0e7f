using Afml.Core.Exchange.Binance;
using Afml.Core.MarketData;
using Afml.Core.MarketData.Binance;
using Afml.Tests.Exchange.Binance;

namespace Afml.Tests.MarketData.Binance;

public class BinanceMarketFeedTests
{
    private static readonly BinanceEnvironment Env = BinanceEnvironment.Local(new Uri("http://127.0.0.1:9"));
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 4, 0, 10, TimeSpan.Zero);
    private static long Minute(int hh, int mm) => new DateTimeOffset(2026, 12, 2, hh, mm, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private sealed record Rig(BinanceMarketFeed Feed, StubBinance Stub, KlineStub Klines, ManualClock Clock, ScriptedConnector Connector, List<string> Log);

    private static Rig Make(string interval = "1m", int history = 5, BinanceFeedOptions? options = null, long serverOffset = 0)
    {
        var clock = new ManualClock(T0);
        var stub = new StubBinance(clock, serverOffset);
        var klines = new KlineStub(stub, CandleInterval.Parse(interval));
        var connector = new ScriptedConnector();
        var log = new List<string>();
        var feed = new BinanceMarketFeed(Env, "BTCUSDT", CandleInterval.Parse(interval), history, clock, options, stub, connector, log.Add);
        return new Rig(feed, stub, klines, clock, connector, log);
    }

    private static Task<List<(Candle Candle, DateTimeOffset At)>> Take(Rig rig, int n) => rig.Clock.Drive(async () =>
    {
        var got = new List<(Candle, DateTimeOffset)>();
        using var cts = new CancellationTokenSource();
        await foreach (var c in rig.Feed.StreamClosedCandlesAsync(cts.Token))
        {
            got.Add((c, rig.Clock.GetUtcNow()));
            if (got.Count == n) break;
        }
        return got;
    });

    [Fact]
    public async Task History_is_the_latest_closed_candles_only()
    {
        var rig = Make(history: 5, serverOffset: 1500);
        var history = await rig.Feed.LoadHistoryAsync(CancellationToken.None);
        Assert.Equal(Enumerable.Range(55, 5).Select(m => Minute(3, m)), history.Select(c => c.OpenTime)); // 04:00 is still open
        Assert.Equal(Minute(3, 59), rig.Feed.LastOpenTime);
        Assert.Equal(1500, rig.Feed.Rest.Clock.OffsetMs);
    }

    [Fact]
    public async Task Stream_final_events_come_out_in_order_without_repeats()
    {
        var rig = Make();
        rig.Connector.Add().Forming(Minute(4, 0)).Final(Minute(4, 0), close: 555).Final(Minute(4, 0)).Forming(Minute(4, 1)).Final(Minute(4, 1), close: 556);
        await rig.Feed.LoadHistoryAsync(CancellationToken.None);
        var got = await Take(rig, 2);
        Assert.Equal([Minute(4, 0), Minute(4, 1)], got.Select(g => g.Candle.OpenTime));
        Assert.Equal([555.0, 556.0], got.Select(g => g.Candle.Close)); // the stream's values, not REST's
        Assert.Equal(1, rig.Feed.Duplicates);
        Assert.Equal(new Uri("ws://127.0.0.1:9/market/ws/btcusdt@kline_1m"), Assert.Single(rig.Connector.Uris));
        Assert.Equal(1, rig.Stub.Count("GET /fapi/v1/klines")); // the history only: nothing was missing
    }

    [Fact]
    public async Task A_missing_final_event_is_fetched_over_rest_after_the_grace()
    {
        var rig = Make();
        rig.Connector.Add(); // connected, silent
        await rig.Feed.LoadHistoryAsync(CancellationToken.None);
        var got = await Take(rig, 2);
        Assert.Equal([Minute(4, 0), Minute(4, 1)], got.Select(g => g.Candle.OpenTime));
        Assert.Equal(KlineStub.CandleAt(Minute(4, 0)), got[0].Candle);
        Assert.True(got[0].At >= DateTimeOffset.FromUnixTimeMilliseconds(Minute(4, 1)) + TimeSpan.FromSeconds(5));
        Assert.True(got[0].At < DateTimeOffset.FromUnixTimeMilliseconds(Minute(4, 1)) + TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task After_a_reconnect_missed_candles_are_backfilled_and_repeats_dropped()
    {
        var rig = Make(options: new BinanceFeedOptions { ReconnectInitialDelay = TimeSpan.FromMinutes(3), ReconnectMaxDelay = TimeSpan.FromMinutes(3), CloseGrace = TimeSpan.FromMinutes(10) });
        rig.Connector.Add().Final(Minute(4, 0)).End();
        rig.Connector.Add().Final(Minute(4, 1)).Final(Minute(4, 2)).Final(Minute(4, 3), close: 777);
        await rig.Feed.LoadHistoryAsync(CancellationToken.None);
        var got = await Take(rig, 4);
        Assert.Equal([Minute(4, 0), Minute(4, 1), Minute(4, 2), Minute(4, 3)], got.Select(g => g.Candle.OpenTime));
        Assert.Equal(777, got[3].Candle.Close);
        Assert.Equal(2, rig.Feed.Connections);
        Assert.True(rig.Feed.Duplicates >= 2); // 04:01 and 04:02 came over REST first
        Assert.Contains(rig.Log, l => l.Contains("reconnect", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_gap_while_rest_fails_is_closed_by_the_rest_retry()
    {
        var rig = Make();
        await rig.Feed.LoadHistoryAsync(CancellationToken.None);
        rig.Clock.Advance(TimeSpan.FromMinutes(3)); // now 04:03:10; 04:00..04:02 closed while nothing listened
        rig.Klines.FailNext = 1;
        rig.Connector.Add().Final(Minute(4, 2));
        var got = await Take(rig, 3);
        Assert.Equal([Minute(4, 0), Minute(4, 1), Minute(4, 2)], got.Select(g => g.Candle.OpenTime));
        Assert.Contains(rig.Log, l => l.Contains("REST klines failed"));
    }

    [Fact]
    public async Task Failed_connects_back_off_while_rest_keeps_candles_coming()
    {
        var rig = Make(); // no scripted connections: every connect fails
        await rig.Feed.LoadHistoryAsync(CancellationToken.None);
        var got = await Take(rig, 3);
        Assert.Equal([Minute(4, 0), Minute(4, 1), Minute(4, 2)], got.Select(g => g.Candle.OpenTime));
        Assert.InRange(rig.Connector.Attempts, 3, 12); // 1, 2, 4, 8... s apart, not a storm
    }

    [Fact]
    public async Task Silent_connections_are_replaced()
    {
        var rig = Make(options: new BinanceFeedOptions { NoDataTimeout = TimeSpan.FromSeconds(20) });
        rig.Connector.Add();
        rig.Connector.Add();
        rig.Connector.Add();
        await rig.Feed.LoadHistoryAsync(CancellationToken.None);
        await Take(rig, 1);
        Assert.True(rig.Feed.Connections >= 2);
        Assert.Contains(rig.Log, l => l.Contains("no stream data"));
    }

    [Fact]
    public async Task Connections_are_replaced_before_binances_24_hour_cut()
    {
        var rig = Make(options: new BinanceFeedOptions { MaxConnectionAge = TimeSpan.FromSeconds(25), NoDataTimeout = TimeSpan.FromHours(1) });
        var first = rig.Connector.Add();
        rig.Connector.Add();
        rig.Connector.Add();
        rig.Connector.Add();
        await rig.Feed.LoadHistoryAsync(CancellationToken.None);
        await Take(rig, 1);
        Assert.True(first.Disposed);
        Assert.True(rig.Feed.Connections >= 2);
        Assert.Contains(rig.Log, l => l.Contains("before Binance's 24 h cut"));
    }

    [Fact]
    public async Task Long_intervals_poll_rest_at_each_close()
    {
        var rig = Make(interval: "1h", history: 3);
        var history = await rig.Feed.LoadHistoryAsync(CancellationToken.None);
        Assert.Equal(Minute(3, 0), history[^1].OpenTime);
        Assert.False(rig.Feed.UsesWebSocket);
        var got = await Take(rig, 2);
        Assert.Equal([Minute(4, 0), Minute(5, 0)], got.Select(g => g.Candle.OpenTime));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(Minute(5, 0)) + TimeSpan.FromSeconds(2), got[0].At);
        Assert.Equal(0, rig.Connector.Attempts);
    }

    [Fact]
    public async Task Without_history_the_stream_starts_after_the_latest_closed_candle()
    {
        var rig = Make(history: 0);
        rig.Connector.Add().Final(Minute(3, 59)).Final(Minute(4, 0));
        var got = await Take(rig, 1);
        Assert.Equal(Minute(4, 0), got[0].Candle.OpenTime);
    }
}
