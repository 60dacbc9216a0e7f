using Afml.Core;
using Afml.Core.MarketData;
using Afml.Tests.Validation;

namespace Afml.Tests.MarketData;

/// <summary>
/// The streaming replay (plan the file in one forward pass, then read it again as it plays) gives exactly the candles
/// the whole-file loader gave, split at the same history/decision boundary, and refuses every bad file with the same
/// error (id and message) the loader raised.
/// </summary>
public class StreamingReplayFeedTests : IDisposable
{
    private static readonly string Demo = Path.Combine(TestData.SharedDir, "data", "BTCUSDT-1h.csv");
    private static readonly CandleInterval Hour = CandleInterval.Parse("1h");
    private readonly string _dir = Directory.CreateTempSubdirectory("afml-stream-feed-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(250, null, null)]
    [InlineData(250, 1_690_000_000_000L, null)]
    [InlineData(250, 1_690_000_000_000L, 1_700_000_000_000L)]
    [InlineData(30, 1_000_000_000_000L, null)]  // -From before the file: decisions start after the warm-up
    public async Task It_plays_the_candles_the_whole_file_loader_gave(int warmup, long? fromMs, long? toMs)
    {
        var all = ReplayCandleLoader.Load(Demo, Hour, new List<string>());
        DateTimeOffset? from = fromMs is { } f ? DateTimeOffset.FromUnixTimeMilliseconds(f) : null;
        DateTimeOffset? to = toMs is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t) : null;
        var warnings = new List<string>();
        var plan = ReplayCandleLoader.Plan(Demo, Hour, warmup, 30, from, to, warnings);

        var first = Math.Max(warmup, fromMs is { } fm ? all.Count(c => c.OpenTime < fm) : 0);
        var end = toMs is { } tm ? all.Count(c => c.OpenTime <= tm) : all.Count;
        Assert.Equal(first, plan.First);
        Assert.Equal(end, plan.End);
        Assert.Contains(warnings, w => w.StartsWith("1 vela(s) faltante(s)", StringComparison.Ordinal)); // the demo file's one gap
        Assert.Equal(fromMs is { } x && all.Count(c => c.OpenTime < x) < warmup, warnings.Any(w => w.StartsWith("-From", StringComparison.Ordinal)));

        await using var feed = new StreamingReplayFeed(plan);
        var history = await feed.LoadHistoryAsync(default);
        Assert.Equal(all.Take(first), history);
        var played = new List<Candle>();
        await foreach (var c in feed.StreamClosedCandlesAsync(default)) played.Add(c);
        Assert.Equal(all.Skip(first).Take(end - first), played);
    }

    [Fact]
    public async Task Without_the_history_asked_for_the_stream_still_starts_at_the_first_decision()
    {
        var all = ReplayCandleLoader.Load(Demo, Hour, new List<string>());
        await using var feed = new StreamingReplayFeed(ReplayCandleLoader.Plan(Demo, Hour, 100, 30, null, null, new List<string>()));
        await using var e = feed.StreamClosedCandlesAsync(default).GetAsyncEnumerator();
        Assert.True(await e.MoveNextAsync());
        Assert.Equal(all[100], e.Current);
    }

    [Fact]
    public async Task A_replay_step_waits_for_nothing_each_candle_is_handed_over_synchronously()
    {
        // The loop's wait for the next candle (feed, then venue events: none in a replay) must not hop threads per step.
        await using var feed = new StreamingReplayFeed(ReplayCandleLoader.Plan(Demo, Hour, 100, 30, null, null, new List<string>()));
        await feed.LoadHistoryAsync(default);
        await using var wait = new Afml.Core.Session.CandleOrVenueEvent(feed.StreamClosedCandlesAsync(default).GetAsyncEnumerator(), null);
        Func<Afml.Core.Exchange.VenueEvent, Task<bool>> none = _ => Task.FromResult(false);
        for (var i = 0; i < 5_000; i++)
        {
            var next = wait.NextAsync(none, default);
            Assert.True(next.IsCompletedSuccessfully, $"candle {i} was not handed over synchronously");
            Assert.True(await next);
        }
    }

    [Fact]
    public void Every_bad_file_is_refused_by_the_plan_with_the_loaders_error()
    {
        var gen = new MalformedInputGenerator(seed: 29);
        var rows = File.ReadLines(Demo).Skip(1).Take(400).ToList();
        var compared = 0;
        for (var n = 0; n < 120; n++)
        {
            var (text, what) = gen.MutateCandles(rows);
            var path = Path.Combine(_dir, $"c{n}.csv");
            File.WriteAllText(path, text, System.Text.Encoding.Latin1);
            IReadOnlyList<Candle>? loaded = null;
            var loader = Record.Exception(() => loaded = ReplayCandleLoader.Load(path, Hour, new List<string>()));
            var plan = Record.Exception(() => ReplayCandleLoader.Plan(path, Hour, 10, 30, null, null, new List<string>()));
            if (loader is null)
            {
                // A file the loader took is played, unless it is too short for the warm-up (the session's check, now the plan's).
                Assert.True(loaded!.Count <= 10 ? plan is AfmlException { ErrorId: "ReplayTooShort" } : plan is null, $"{what}: {plan?.Message}");
                continue;
            }
            var a = Assert.IsType<AfmlException>(loader);
            var b = Assert.IsType<AfmlException>(plan);
            Assert.True(a.ErrorId == b.ErrorId && a.Message == b.Message, $"{what}: loader {a.ErrorId} '{a.Message}' vs plan {b.ErrorId} '{b.Message}'");
            compared++;
        }
        Assert.True(compared > 60, $"only {compared} refused files compared");
    }

    [Fact]
    public void The_interval_is_judged_before_a_bad_gap_as_the_loader_did()
    {
        // 4h candles with one 3-day hole: the loader names the interval, not the gap.
        var times = Enumerable.Range(0, 50).Select(i => 1_672_531_200_000L + i * 4 * 3_600_000L)
            .Concat(Enumerable.Range(0, 50).Select(i => 1_672_531_200_000L + (68 + i) * 4 * 3_600_000L));
        var path = Path.Combine(_dir, "h4.csv");
        File.WriteAllLines(path, ["open_time,open,high,low,close,volume", .. times.Select(t => $"{t},100,101,99,100,5")]);
        var a = Assert.IsType<AfmlException>(Record.Exception(() => ReplayCandleLoader.Load(path, Hour, new List<string>())));
        var b = Assert.IsType<AfmlException>(Record.Exception(() => ReplayCandleLoader.Plan(path, Hour, 10, 30, null, null, new List<string>())));
        Assert.Equal("CandleIntervalMismatch", b.ErrorId);
        Assert.Equal(a.Message, b.Message);
    }
}
