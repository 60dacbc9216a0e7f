using System.Threading.Channels;
using Afml.Core.Exchange.Binance;
using Afml.Core.MarketData;
using Afml.Core.MarketData.Binance;
using Afml.Core.Session;
using Afml.Core.Venues;
using Afml.FakeBinance;

namespace Afml.Tests.Session;

/// <summary>
/// A whole session (testnet or paper) against the fake Binance over real HTTP and WebSocket: the fake serves a slice
/// of the real BTCUSDT candles, the test publishes them one by one (advancing the fake's clock an interval each) and
/// waits until the session has decided on each. The same slice can be replayed offline for comparison.
/// </summary>
internal sealed class FakeVenueSession : IAsyncDisposable
{
    public const string ApiKey = "afml-test-key-0123456789";
    public const string ApiSecret = "afml-test-secret-do-not-print-9f8e7d6c5b4a";
    private const long Hour = 3_600_000;

    private FakeVenueSession(SessionHarness harness, FakeBinanceServer fake, ManualClock clock, IReadOnlyList<Candle> slice, int history)
    {
        Harness = harness;
        Fake = fake;
        Clock = clock;
        Slice = slice;
        History = history;
    }

    public SessionHarness Harness { get; }
    public FakeBinanceServer Fake { get; }
    public ManualClock Clock { get; }
    /// <summary>The candles the fake serves: <see cref="History"/> already closed, the rest published by the test.</summary>
    public IReadOnlyList<Candle> Slice { get; }
    public int History { get; }
    public List<SessionEvent> Events { get; } = [];

    /// <param name="first">Index in the (continuity-filled) data file of the first candle the fake serves.</param>
    /// <param name="history">Candles already closed at start (≤ what the session asks for, so a replay of the
    /// slice warms its indicators on exactly the same candles).</param>
    /// <param name="steps">Candles the test will publish.</param>
    /// <param name="runningClock">The fake's clock also runs in real time between publications (needed where
    /// the venue measures a wait, e.g. a 429's Retry-After).</param>
    public static async Task<FakeVenueSession> StartAsync(int first, int history, int steps, Func<FakeBinanceOptions, FakeBinanceOptions>? adjust = null, bool runningClock = false)
    {
        var all = ContinuityFiller.Fill(CandleCsvReader.Read(Path.Combine(TestData.SharedDir, "data", "BTCUSDT-1h.csv")), CandleInterval.Parse("1h"), out _);
        var slice = all.Skip(first).Take(history + steps + 1).ToArray();
        var clock = ManualClock.AtUnixMilliseconds(slice[history].OpenTime + 1_000, runningClock ? TimeProvider.System : null);
        var options = new FakeBinanceOptions
        {
            Candles = slice,
            ClosedCandlesAtStart = history,
            ApiKey = ApiKey,
            ApiSecret = ApiSecret,
            Clock = clock,
            PingInterval = TimeSpan.Zero,
            UpdatesPerCandle = 1,
        };
        var fake = await FakeBinanceServer.StartAsync(adjust?.Invoke(options) ?? options);
        return new FakeVenueSession(new SessionHarness(TestData.FixtureTrainingDir), fake, clock, slice, history);
    }

    public SessionOptions Options(VenueKind venue, int maxSteps) => new()
    {
        TrainId = Harness.TrainId,
        TrainingRoot = Harness.Root,
        Venue = venue,
        MaxSteps = maxSteps,
        Binance = new BinanceConnection
        {
            Endpoint = new Uri(Fake.RestBaseUrl),
            Credentials = new BinanceCredentials(ApiKey, ApiSecret),
            ClientOptions = new BinanceOptions { RecvWindow = TimeSpan.FromSeconds(1), ReconcileMargin = TimeSpan.FromMilliseconds(200) },
            // The fake's clock stands still between publications: let the stream, not wall-clock polling, drive candles.
            FeedOptions = new BinanceFeedOptions { StreamBelow = TimeSpan.MaxValue, ReconnectInitialDelay = TimeSpan.FromMilliseconds(100) },
        },
    };

    /// <summary>Runs the session, publishing one candle per step until it has made <paramref name="steps"/>
    /// decisions (or stopped); returns its summary.</summary>
    public async Task<SessionSummary> RunAsync(SessionOptions options, int steps, Action<int>? beforePublish = null, TimeSpan? timeout = null,
        Func<SessionHostOptions, SessionHostOptions>? host = null, Action<SessionHost>? started = null)
    {
        var time = TimeProvider.System;
        var hostOptions = new SessionHostOptions
        {
            Time = time,
            Retry = new Afml.Core.Risk.OperationRetry(time, delay: TimeSpan.FromMilliseconds(50)),
            StateRetry = Afml.Core.Risk.OperationRetry.StateReads(time, TimeSpan.FromMilliseconds(50)),
        };
        await using var session = SessionHost.Start(options, host?.Invoke(hostOptions) ?? hostOptions);
        started?.Invoke(session);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        using var stop = cts.Token.Register(() => session.Stop());
        var run = session.Completion;
        var reader = session.Events;
        // A session that fails at start never connects: stop waiting as soon as it ends.
        var connected = Fake.WaitForMarketConnectionsAsync(1, TimeSpan.FromSeconds(20));
        await Task.WhenAny(connected, run);
        if (!run.IsCompleted && !await connected)
            throw new TimeoutException("the session never connected to the kline stream");
        // Connected is not started: a candle published while the session still downloads its history or places its
        // start's stop can land in that history and shift the steps. Publish once it says Running (or has ended).
        for (var i = 0; i < 4000 && !run.IsCompleted && session.Status?.Current.State != nameof(SessionState.Running); i++)
            await Task.Delay(5);
        if (!run.IsCompleted && session.Status?.Current.State != nameof(SessionState.Running))
            throw new TimeoutException($"the session connected but did not say Running within 20 s (state {session.Status?.Current.State})");
        var decided = 0;
        for (var i = 0; i < steps && !run.IsCompleted; i++)
        {
            beforePublish?.Invoke(i);
            Clock.Advance(TimeSpan.FromMilliseconds(Hour));
            await Fake.PublishNextCandleAsync();
            decided = await WaitForStepAsync(reader, decided + 1, run);
        }
        try
        {
            return await run;
        }
        finally
        {
            // Also when the session threw: its messages are part of what a test inspects.
            await foreach (var e in reader.ReadAllAsync(CancellationToken.None)) Events.Add(e);
        }
    }

    private async Task<int> WaitForStepAsync(ChannelReader<SessionEvent> reader, int step, Task run)
    {
        // The session owns the timeout (its token): when it ends, for whatever reason, so does the wait.
        while (true)
        {
            while (reader.TryRead(out var e))
            {
                Events.Add(e);
                if (e is SessionStep s && s.Completed >= step) return s.Completed;
            }
            if (run.IsCompleted) return step;
            await Task.WhenAny(reader.WaitToReadAsync(CancellationToken.None).AsTask(), run);
        }
    }

    /// <summary>The slice as a candle file, for an offline replay of the same candles.</summary>
    public string WriteSliceCsv()
    {
        var path = Path.Combine(Harness.Root, "slice.csv");
        File.WriteAllLines(path, new[] { "open_time,open,high,low,close,volume" }.Concat(Slice.Select(c =>
            string.Join(',', c.OpenTime, R(c.Open), R(c.High), R(c.Low), R(c.Close), R(c.Volume)))));
        return path;
        static string R(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await Fake.DisposeAsync();
        Harness.Dispose();
    }
}
