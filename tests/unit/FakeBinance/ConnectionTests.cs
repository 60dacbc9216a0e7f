using System.Globalization;
using System.Net.WebSockets;
using Afml.FakeBinance;

namespace Afml.Tests.FakeBinance;

public sealed class ConnectionTests
{
    [Fact]
    public async Task Server_pings_keep_a_reading_client_and_drop_a_silent_one()
    {
        await using var venue = await FakeVenue.StartAsync(o => o with { PingInterval = TimeSpan.FromMilliseconds(100), PongTimeout = TimeSpan.FromMilliseconds(300) });
        var url = venue.Server.MarketStreamBaseUrl + "/ws/" + venue.Server.KlineStreamName;
        using var reading = await venue.ConnectAsync(url, () => venue.Server.MarketConnectionCount, 1);
        using var silent = await venue.ConnectAsync(url, () => venue.Server.MarketConnectionCount, 2);
        var pending = FakeVenue.ReceiveAsync(reading); // a pending receive is what answers pings with pongs

        Assert.True(await FakeVenue.WaitAsync(() => venue.Server.MarketConnectionCount == 1), "the silent client was never dropped");
        await venue.Server.PublishNextCandleAsync(new CandlePublishOptions { Updates = 0 });
        Assert.NotNull(await pending);
        Assert.Null(await FakeVenue.ReceiveAsync(silent, 1000));
    }

    [Fact]
    public async Task Connections_are_closed_at_the_lifetime_mark()
    {
        await using var venue = await FakeVenue.StartAsync(o => o with { ConnectionLifetime = TimeSpan.FromMilliseconds(200), HousekeepingPeriod = TimeSpan.FromMilliseconds(50) });
        using var ws = await venue.ConnectAsync(venue.Server.MarketStreamBaseUrl + "/ws/" + venue.Server.KlineStreamName, () => venue.Server.MarketConnectionCount, 1);
        Assert.Null(await FakeVenue.ReceiveAsync(ws));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
    }

    [Fact]
    public async Task Standalone_run_prints_urls_and_generated_credentials_and_streams_the_rest()
    {
        var csv = Path.Combine(Path.GetTempPath(), "afml-fake-" + Guid.NewGuid().ToString("N") + ".csv");
        await File.WriteAllLinesAsync(csv, ["open_time,open,high,low,close,volume",
            .. FakeVenue.Candles(4).Select(c => string.Join(',', c.OpenTime.ToString(CultureInfo.InvariantCulture), c.Open.ToString(CultureInfo.InvariantCulture),
                c.High.ToString(CultureInfo.InvariantCulture), c.Low.ToString(CultureInfo.InvariantCulture), c.Close.ToString(CultureInfo.InvariantCulture), c.Volume.ToString(CultureInfo.InvariantCulture)))]);
        try
        {
            var output = new StringWriter();
            var synced = TextWriter.Synchronized(output);
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var run = StandaloneHost.RunAsync(["--candles", csv, "--port", "0", "--speed", "360000", "--history", "2"], synced, stop.Token);
            Assert.True(await FakeVenue.WaitAsync(() => output.ToString().Contains("All candles published", StringComparison.Ordinal)), output.ToString());
            await stop.CancelAsync();
            Assert.Equal(0, await run);
            var text = output.ToString();
            Assert.Contains("REST            http://127.0.0.1:", text);
            Assert.Contains("/market/ws/btcusdt@kline_1h", text);
            Assert.Matches("API secret +[0-9a-f]{64}", text);
            Assert.Matches(@"\n  port +[1-9][0-9]*\r?\n", text);
        }
        finally
        {
            File.Delete(csv);
        }
    }
}
