using System.Globalization;
using Afml.Core.Agent;
using Afml.Core.Recording;
using Afml.Core.Session;
using Afml.FakeBinance;
using Xunit.Abstractions;

namespace Afml.Tests.Session;

/// <summary>A venue that keeps serving an impossible candle, on its stream and over REST: the session does not wait on
/// it forever (alive, deciding nothing, a position open) but gives up after the feed's bound of refused fetches and
/// ends through the emergency protocol, naming the candle.</summary>
public class ImpossibleCandleSessionTests(ITestOutputHelper output)
{
    private const int First = 18_000, History = 600;

    [Theory]
    [InlineData("high<low")]
    [InlineData("close 0")]
    public async Task A_candle_served_impossible_by_stream_and_rest_ends_the_session_through_the_emergency_protocol(string what)
    {
        const int steps = 6, bad = 3; // three decisions, then the fourth published candle is impossible
        await using var s = await FakeVenueSession.StartAsync(First, History, steps, o => o with
        {
            Candles = o.Candles.Select((c, i) => i != History + bad ? c : what == "close 0" ? c with { Close = 0 } : c with { High = c.Low - 1 }).ToArray(),
        });
        var options = s.Options(VenueKind.Testnet, steps);
        // Refetches a few tens of milliseconds apart (real time: the fake's clock only moves when a candle is published).
        // No exchange-resident stop here: the fake's mark follows the impossible close (0) and would trigger it, a market
        // Binance's mark never makes; this test is about the feed's bound.
        options = options with { Binance = options.Binance! with { ProtectiveStop = false, FeedOptions = options.Binance.FeedOptions! with { RestRetryDelay = TimeSpan.FromMilliseconds(50), RestRetryMax = TimeSpan.FromMilliseconds(200) } } };
        var badOpen = s.Slice[History + bad].OpenTime;
        var fetchesBefore = 0;
        var summary = await s.RunAsync(options, steps, i => { if (i == bad) fetchesBefore = KlineFetchesFrom(s, badOpen); },
            host: o => o with { Adjust = p => p with { Policy = new AlwaysLong(p.Policy) } }, timeout: TimeSpan.FromSeconds(60));

        var refetches = KlineFetchesFrom(s, badOpen) - fetchesBefore;
        var position = s.Fake.Account.Position("BTCUSDT")?.Amount ?? 0m;
        TestReport.Write(output, string.Create(CultureInfo.InvariantCulture,
            $"fault-suite: impossible-candle (stream+REST, {what}) steps={summary.Steps} rest-refetches={refetches} stop={summary.StopReason} state={summary.TradingState} venue-position={position}"));

        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        Assert.Equal(bad, rows.Count(r => r.TipoAccion != TradingSession.EmergencyActionType)); // no decision on (or after) the impossible candle
        Assert.Equal(TradingSession.EmergencyActionType, rows[^1].TipoAccion);
        Assert.True(summary.EmergencyPath is { } e && File.ReadAllLines(e).Length == 2, "one emergencias row");
        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
        Assert.Contains("impossible candle", summary.StopDetail, StringComparison.Ordinal);
        Assert.Contains($"of {DateTimeOffset.FromUnixTimeMilliseconds(badOpen):yyyy-MM-ddTHH:mm:ssZ} (", summary.StopDetail, StringComparison.Ordinal);
        Assert.Equal(3, refetches); // the default bound, and never a fourth
        Assert.Equal(0m, position); // the position the session held was closed by the protocol
        Assert.Equal("HALTED", summary.TradingState);
    }

    /// <summary>REST kline requests asking from the impossible candle on.</summary>
    private static int KlineFetchesFrom(FakeVenueSession s, long openTime) =>
        s.Fake.RequestLog.For("GET /fapi/v1/klines").Count(r => r.Query.Contains($"startTime={openTime}", StringComparison.Ordinal));

    private sealed class AlwaysLong(IPolicy inner) : IPolicy
    {
        public PolicyShape Shape => inner.Shape;
        public float Predict(ReadOnlySpan<float> market, ReadOnlySpan<float> portfolio) => 1f;
        public void Dispose() { }
    }
}
