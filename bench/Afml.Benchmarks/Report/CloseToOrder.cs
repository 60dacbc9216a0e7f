using System.Threading.Channels;
using Afml.Core.Exchange.Binance;
using Afml.Core.MarketData;
using Afml.Core.MarketData.Binance;
using Afml.Core.Session;
using Afml.FakeBinance;

namespace Afml.Benchmarks.Report;

/// <summary>What the fake saw between candle closes and the session's orders.</summary>
internal sealed record CloseToOrderResult(int Steps, int Orders, double MedianMs, double P99Ms, double RestCallsBeforeOrder, double RestCallsPerStep);

/// <summary>
/// A testnet session against the fake Binance on 127.0.0.1 (real REST + WebSocket, in this process): the fake
/// publishes each closed kline, and the time from that publication to the arrival of the step's
/// <c>POST /fapi/v1/order</c> is read on the fake's clock (which runs with real time). It includes the WebSocket
/// hop, the session's step up to F and every REST call it makes before the order.
/// </summary>
internal static class CloseToOrder
{
    private const long Hour = 3_600_000;
    private const string Key = "afml-bench-key-0123456789";
    private const string Secret = "afml-bench-secret-0123456789abcdef";

    public static async Task<CloseToOrderResult> RunAsync(string trainingRoot, int steps)
    {
        const int first = 18_000, history = 600;
        var all = ContinuityFiller.Fill(CandleCsvReader.Read(Paths.Samples("data", "BTCUSDT-1h.csv")), CandleInterval.Parse("1h"), out _);
        var slice = all.Skip(first).Take(history + steps + 1).ToArray();
        var clock = ManualClock.AtUnixMilliseconds(slice[history].OpenTime + 1_000, TimeProvider.System);
        await using var fake = await FakeBinanceServer.StartAsync(new FakeBinanceOptions
        {
            Candles = slice,
            ClosedCandlesAtStart = history,
            ApiKey = Key,
            ApiSecret = Secret,
            Clock = clock,
            PingInterval = TimeSpan.Zero,
            UpdatesPerCandle = 1,
            TakerCommissionRate = 0.001m,
            Symbol = FakeSymbolRules.BtcUsdt with { StepSize = 0.00001m, MarketStepSize = 0.00001m, MinQty = 0.00001m, MarketMinQty = 0.00001m, QuantityPrecision = 5 },
        });
        var options = new SessionOptions
        {
            TrainId = Paths.DemoTrainId,
            TrainingRoot = trainingRoot,
            Venue = VenueKind.Testnet,
            MaxSteps = steps,
            Binance = new Afml.Core.Venues.BinanceConnection
            {
                Endpoint = new Uri(fake.RestBaseUrl),
                Credentials = new BinanceCredentials(Key, Secret),
                FeedOptions = new BinanceFeedOptions { StreamBelow = TimeSpan.MaxValue },
            },
        };
        // Run through the SessionHost as Start-AfmlSession runs a testnet session (default retries, Info lines),
        // its events read here to know when each step has been decided.
        await using var session = SessionHost.Start(options, new SessionHostOptions { Time = TimeProvider.System, LogLevel = SessionLogLevel.Info });
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var timeout = cts.Token.Register(() => session.Stop(SessionStopReason.Cancelled, "bench timeout"));
        var run = session.Completion;
        await Task.WhenAny(fake.WaitForMarketConnectionsAsync(1, TimeSpan.FromSeconds(30)), run);

        var published = new List<(int Step, DateTimeOffset At, int LogIndex)>();
        var decided = 0;
        for (var i = 0; i < steps && !run.IsCompleted; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(Hour));
            published.Add((decided + 1, fake.ServerTime, fake.RequestLog.Count));
            await fake.PublishNextCandleAsync();
            decided = await WaitForStepAsync(session.Events, decided + 1, run);
        }
        session.Stop();
        var drain = Task.Run(async () => { await foreach (var _ in session.Events.ReadAllAsync()) { } });
        try { await run; } catch (OperationCanceledException) { }
        await drain;

        var log = fake.RequestLog.Entries;
        var latencies = new List<double>();
        var before = new List<int>();
        var perStep = new List<int>();
        for (var k = 0; k < published.Count; k++)
        {
            var (step, at, from) = published[k];
            var to = k + 1 < published.Count ? published[k + 1].LogIndex : log.Count;
            var window = log.Skip(from).Take(to - from).ToList();
            perStep.Add(window.Count);
            var order = window.FindIndex(r => r.Endpoint == "POST /fapi/v1/order" && r.ClientOrderId?.EndsWith("-" + step, StringComparison.Ordinal) == true);
            if (order < 0) continue;
            latencies.Add((window[order].ServerTime - at).TotalMilliseconds);
            before.Add(order);
        }
        var (med, p99) = Stats.MedianP99(latencies);
        return new CloseToOrderResult(published.Count, latencies.Count, med, p99, before.DefaultIfEmpty().Average(), perStep.DefaultIfEmpty().Average());
    }

    private static async Task<int> WaitForStepAsync(ChannelReader<SessionEvent> reader, int step, Task run)
    {
        while (true)
        {
            while (reader.TryRead(out var e))
                if (e is SessionStep s && s.Completed >= step) return s.Completed;
            if (run.IsCompleted) return step;
            await Task.WhenAny(reader.WaitToReadAsync().AsTask(), run);
        }
    }
}
