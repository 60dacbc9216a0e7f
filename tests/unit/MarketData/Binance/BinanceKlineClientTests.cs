using Afml.Core.Exchange.Binance;
using Afml.Core.MarketData;
using Afml.Core.MarketData.Binance;
using Afml.Tests.Exchange.Binance;

namespace Afml.Tests.MarketData.Binance;

public class BinanceKlineClientTests
{
    private static readonly CandleInterval M1 = CandleInterval.Parse("1m");

    private static (BinanceKlineClient, StubBinance, KlineStub, ManualClock) Make()
    {
        var clock = new ManualClock();
        var stub = new StubBinance(clock);
        var klines = new KlineStub(stub, M1);
        var rest = new BinanceRestClient(BinanceEnvironment.Local(new Uri("http://127.0.0.1:9")), new BinanceOptions(), clock, null, stub);
        return (new BinanceKlineClient(rest, "BTCUSDT", M1), stub, klines, clock);
    }

    [Fact]
    public async Task Latest_closed_pages_backwards_in_pages_of_at_most_1500()
    {
        var (client, stub, klines, clock) = Make();
        var candles = (await client.LatestClosedAsync(3000, CancellationToken.None)).Unwrap();
        Assert.Equal(3000, candles.Count);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.True(candles[^1].OpenTime + 60_000 <= now);       // closed
        Assert.True(candles[^1].OpenTime + 120_000 > now);       // and the newest closed one
        Assert.All(candles.Zip(candles.Skip(1)), p => Assert.Equal(60_000, p.Second.OpenTime - p.First.OpenTime));
        Assert.All(klines.Limits, l => Assert.InRange(l, 1, 1500));
        Assert.Equal(3, stub.Count("GET /fapi/v1/klines"));
        Assert.Equal("BTCUSDT", stub.Requests.First(r => r.Path == "/fapi/v1/klines").Param("symbol"));
        Assert.Equal("1m", stub.Requests.First(r => r.Path == "/fapi/v1/klines").Param("interval"));
    }

    [Fact]
    public async Task Closed_from_pages_forwards_and_drops_the_open_bar()
    {
        var (client, stub, _, clock) = Make();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var current = now / 60_000 * 60_000;
        var start = current - 2000 * 60_000L;
        var candles = (await client.ClosedFromAsync(start, CancellationToken.None)).Unwrap();
        Assert.Equal(2000, candles.Count);
        Assert.Equal(start, candles[0].OpenTime);
        Assert.Equal(current - 60_000, candles[^1].OpenTime);
        Assert.Equal(2, stub.Count("GET /fapi/v1/klines"));
        Assert.Empty((await client.ClosedFromAsync(current, CancellationToken.None)).Unwrap()); // still open: not even asked
        Assert.Equal(2, stub.Count("GET /fapi/v1/klines"));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(99, 1)]
    [InlineData(100, 2)]
    [InlineData(499, 2)]
    [InlineData(500, 5)]
    [InlineData(1000, 5)]
    [InlineData(1500, 10)]
    public void Weight_follows_the_limit(int limit, int weight) => Assert.Equal(weight, BinanceKlineClient.Weight(limit));
}
