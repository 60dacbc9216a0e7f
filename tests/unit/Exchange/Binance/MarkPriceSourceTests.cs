using System.Collections.Concurrent;
using System.Diagnostics;
using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;
using Afml.FakeBinance;
using Afml.Tests.FakeBinance;

namespace Afml.Tests.Exchange.Binance;

/// <summary>The mark-price source against the fake over real sockets: stream marks, a dropped stream reconnected with
/// back-off, and premiumIndex polled only while the stream is silent.</summary>
public class MarkPriceSourceTests
{
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(15);

    private static async Task<(FakeVenue Venue, BinanceMarkPriceSource Source, ConcurrentQueue<MarkPrice> Marks, CancellationTokenSource Stop, Task Run)> StartAsync(MarkPriceOptions options)
    {
        var venue = await FakeVenue.StartAsync(o => o with { MarkPricePeriod = TimeSpan.Zero }); // marks only when published
        var source = new BinanceMarkPriceSource(BinanceEnvironment.Local(new Uri(venue.Server.RestBaseUrl)), "BTCUSDT", TimeProvider.System, options);
        var marks = new ConcurrentQueue<MarkPrice>();
        var stop = new CancellationTokenSource();
        var run = source.RunAsync(marks.Enqueue, stop.Token);
        Assert.True(await venue.Server.WaitForMarketConnectionsAsync(1, GiveUp), "the mark stream never connected");
        return (venue, source, marks, stop, run);
    }

    private static async Task<MarkPrice> NextAsync(ConcurrentQueue<MarkPrice> marks, Func<MarkPrice, bool> match)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < GiveUp)
        {
            if (marks.FirstOrDefault(match) is { } m) return m;
            await Task.Delay(10);
        }
        throw new TimeoutException("no such mark arrived");
    }

    [Fact]
    public async Task Stream_marks_arrive_and_a_dropped_stream_is_reconnected()
    {
        var (venue, source, marks, stop, run) = await StartAsync(new MarkPriceOptions { ReconnectInitialDelay = TimeSpan.FromMilliseconds(50), SilenceTimeout = TimeSpan.FromMinutes(5) });
        await using var _ = venue;
        await using var __ = source;
        var t1 = venue.Server.PublishInProgress(20_123.4);
        var first = await NextAsync(marks, m => m.Price == 20_123.4);
        Assert.Equal(t1, first.Time.ToUnixTimeMilliseconds());
        Assert.Equal("BTCUSDT", first.Symbol);

        venue.Server.Faults.OnNext(FaultEndpoints.MarkPriceStream, Fault.StreamDrop);
        Assert.Equal(-1, venue.Server.PublishMarkPrice()); // the drop instead of a mark
        var clock = Stopwatch.StartNew();
        while (source.Connections < 2 && clock.Elapsed < GiveUp) await Task.Delay(10);
        Assert.Equal(2, source.Connections);
        Assert.True(await venue.Server.WaitForMarketConnectionsAsync(1, GiveUp));
        venue.Server.PublishInProgress(20_050.5);
        await NextAsync(marks, m => m.Price == 20_050.5);
        Assert.Equal(0, source.Polled);
        Assert.Empty(venue.Server.RequestLog.For("GET /fapi/v1/premiumIndex"));
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_silent_stream_is_covered_by_premiumIndex_until_it_speaks_again()
    {
        var (venue, source, marks, stop, run) = await StartAsync(new MarkPriceOptions { Period = TimeSpan.FromMilliseconds(100), SilenceTimeout = TimeSpan.FromMilliseconds(300) });
        await using var _ = venue;
        await using var __ = source;
        venue.Server.Faults.OnNext(FaultEndpoints.MarkPriceStream, Fault.StreamSilent, times: 1);
        Assert.Equal(-1, venue.Server.PublishInProgress(19_876.5)); // swallowed by the stream
        var polled = await NextAsync(marks, m => m.Price == 19_876.5); // premiumIndex saw it
        Assert.True(source.Polled >= 1);
        Assert.NotEmpty(venue.Server.RequestLog.For("GET /fapi/v1/premiumIndex"));
        Assert.Equal(0, venue.Server.MarkPricesSent);

        // The stream speaks again: polling stops.
        venue.Server.PublishInProgress(19_900.0);
        await NextAsync(marks, m => m.Price == 19_900.0);
        var pollsThen = venue.Server.RequestLog.For("GET /fapi/v1/premiumIndex").Count;
        for (var i = 0; i < 3; i++) { venue.Server.PublishMarkPrice(); await Task.Delay(100); } // the venue's cadence, compressed
        Assert.InRange(venue.Server.RequestLog.For("GET /fapi/v1/premiumIndex").Count, pollsThen, pollsThen + 1); // at most one poll in flight when the mark came
        await stop.CancelAsync();
        await run;
    }
}
