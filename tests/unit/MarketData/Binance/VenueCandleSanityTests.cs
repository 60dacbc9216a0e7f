using System.Net;
using System.Net.Sockets;
using Afml.Core;
using Afml.Core.Exchange.Binance;
using Afml.Core.MarketData;
using Afml.Core.MarketData.Binance;
using Afml.Tests.Exchange.Binance;

namespace Afml.Tests.MarketData.Binance;

/// <summary>An impossible candle from the venue (stream event or REST page) is never handed to the session: it is
/// refused, logged and fetched again; a stalled WebSocket handshake is logged as a timeout naming the host.</summary>
public class VenueCandleSanityTests
{
    private static readonly BinanceEnvironment Env = BinanceEnvironment.Local(new Uri("http://127.0.0.1:9"));
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 4, 0, 10, TimeSpan.Zero);
    private static long Minute(int hh, int mm) => new DateTimeOffset(2026, 12, 2, hh, mm, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private sealed record Rig(BinanceMarketFeed Feed, StubBinance Stub, KlineStub Klines, ManualClock Clock, ScriptedConnector Connector, List<string> Log);

    private static Rig Make()
    {
        var clock = new ManualClock(T0);
        var stub = new StubBinance(clock, 0);
        var klines = new KlineStub(stub, CandleInterval.Parse("1m"));
        var connector = new ScriptedConnector();
        var log = new List<string>();
        var feed = new BinanceMarketFeed(Env, "BTCUSDT", CandleInterval.Parse("1m"), 5, clock, null, stub, connector, log.Add);
        return new Rig(feed, stub, klines, clock, connector, log);
    }

    private static Task<List<Candle>> Take(Rig rig, int n) => rig.Clock.Drive(async () =>
    {
        var got = new List<Candle>();
        await foreach (var c in rig.Feed.StreamClosedCandlesAsync(CancellationToken.None))
        {
            got.Add(c);
            if (got.Count == n) break;
        }
        return got;
    });

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-1.0)]
    [InlineData(0.0)]
    public async Task An_impossible_stream_candle_is_refused_and_fetched_over_rest(double low)
    {
        var rig = Make();
        var bad = KlineStub.CandleAt(Minute(4, 0)) with { Low = low };
        rig.Connector.Add().Raw(bad).Final(Minute(4, 1));
        await rig.Feed.LoadHistoryAsync(CancellationToken.None);
        var got = await Take(rig, 2);
        Assert.Equal([Minute(4, 0), Minute(4, 1)], got.Select(c => c.OpenTime));
        Assert.Equal(KlineStub.CandleAt(Minute(4, 0)), got[0]); // REST's sane candle, never the stream's
        Assert.All(got, c => Assert.Null(CandleSanity.Problem(c)));
        Assert.Contains(rig.Log, l => l.Contains("stream candle 2026-12-02T04:00:00Z refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_impossible_rest_candle_is_refused_and_fetched_again()
    {
        var rig = Make();
        rig.Connector.Add(); // connected, silent: the candle comes over REST
        await rig.Feed.LoadHistoryAsync(CancellationToken.None);
        rig.Klines.Impossible[Minute(4, 0)] = 2;
        var got = await Take(rig, 2);
        Assert.Equal([Minute(4, 0), Minute(4, 1)], got.Select(c => c.OpenTime));
        Assert.Equal(KlineStub.CandleAt(Minute(4, 0)), got[0]);
        Assert.Equal(0, rig.Klines.Impossible[Minute(4, 0)]); // asked twice, refused twice, then the sane one
        Assert.Contains(rig.Log, l => l.Contains(BinanceKlineClient.RefusedCandlePrefix, StringComparison.Ordinal) && l.Contains("low is above high", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_venue_that_keeps_serving_an_impossible_candle_is_given_up_on_after_three_refused_fetches_naming_it()
    {
        var rig = Make();
        rig.Connector.Add(); // connected, silent: the candle comes over REST, impossible every time
        await rig.Feed.LoadHistoryAsync(CancellationToken.None);
        var before = rig.Stub.Count("GET /fapi/v1/klines");
        rig.Klines.Impossible[Minute(4, 0)] = int.MaxValue;
        var ex = await Assert.ThrowsAsync<AfmlException>(() => Take(rig, 1));
        Assert.Equal("VenueCandleInvalid", ex.ErrorId);
        Assert.Contains("BTCUSDT 1m of 2026-12-02T04:00:00Z (low is above high", ex.Message, StringComparison.Ordinal);
        Assert.Contains("refused in 3 REST fetches in a row", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, rig.Stub.Count("GET /fapi/v1/klines") - before); // never a fourth
    }

    [Fact]
    public async Task The_bound_on_refused_fetches_is_the_feeds_option()
    {
        var clock = new ManualClock(T0);
        var stub = new StubBinance(clock, 0);
        var klines = new KlineStub(stub, CandleInterval.Parse("1m"));
        var connector = new ScriptedConnector();
        var feed = new BinanceMarketFeed(Env, "BTCUSDT", CandleInterval.Parse("1m"), 5, clock, new BinanceFeedOptions { MaxRefusedFetches = 5 }, stub, connector);
        var rig = new Rig(feed, stub, klines, clock, connector, []);
        rig.Connector.Add();
        await rig.Feed.LoadHistoryAsync(CancellationToken.None);
        var before = rig.Stub.Count("GET /fapi/v1/klines");
        rig.Klines.Impossible[Minute(4, 0)] = 4; // one fewer than the bound: the fifth fetch is sane
        var got = await Take(rig, 1);
        Assert.Equal(KlineStub.CandleAt(Minute(4, 0)), got[0]);
        Assert.Equal(5, rig.Stub.Count("GET /fapi/v1/klines") - before);
    }

    [Fact]
    public async Task An_impossible_history_candle_is_fetched_again_before_the_first_decision()
    {
        var rig = Make();
        rig.Klines.Impossible[Minute(3, 57)] = 1;
        var history = await rig.Clock.Drive(() => rig.Feed.LoadHistoryAsync(CancellationToken.None));
        Assert.Equal(Enumerable.Range(55, 5).Select(m => Minute(3, m)), history.Select(c => c.OpenTime));
        Assert.All(history, c => Assert.Null(CandleSanity.Problem(c)));
        Assert.Equal(2, rig.Stub.Count("GET /fapi/v1/klines"));
    }

    [Fact]
    public async Task A_stalled_websocket_handshake_is_a_timeout_naming_the_host()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0); // accepts the TCP connection, never answers the upgrade
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var clock = new ManualClock(T0);
        var connector = new WebSocketKlineConnector(clock, TimeSpan.FromSeconds(10));
        var connect = connector.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/market/ws/btcusdt@kline_1m"), CancellationToken.None);
        using var accepted = await listener.AcceptTcpClientAsync();
        clock.Advance(TimeSpan.FromSeconds(11));
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => connect);
        Assert.Equal($"no WebSocket handshake from ws://127.0.0.1:{port} within 10 s (connect timeout)", ex.Message);
    }
}
