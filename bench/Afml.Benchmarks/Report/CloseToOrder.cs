using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Threading.Channels;
using Afml.Core.Exchange.Binance;
using Afml.Core.MarketData;
using Afml.Core.MarketData.Binance;
using Afml.Core.Session;
using Afml.FakeBinance;

namespace Afml.Benchmarks.Report;

/// <summary>What the fake saw between candle closes and the session's orders.</summary>
/// <param name="OwnP50Ms">Our own time: the final kline frame received by our socket → the order's HTTP request started.</param>
internal sealed record CloseToOrderResult(int Steps, int Orders, double MedianMs, double P99Ms, double RestCallsBeforeOrder, double RestCallsPerStep,
    double OwnP50Ms = double.NaN, double OwnP99Ms = double.NaN);

/// <summary>
/// A testnet session against the fake Binance on 127.0.0.1 (real REST + WebSocket, in this process), timed on the
/// process's monotonic clock: (1) end to end, from the bench's call that publishes the closed kline to the start of
/// the step's <c>POST /fapi/v1/order</c> request (the fake's WebSocket send, our receive, the step up to F and every
/// REST call before the order); (2) our own time, from the moment our kline socket has the final (x=true) frame to
/// that request's start (System.Net.Http's HttpRequestOut activity, just before the handler writes the bytes): the
/// frame's parse, the feed, features, observation, forward, sizing, signing and HttpClient's own work.
/// The session runs on the fake's clock (standing still between candles, jumping an hour a candle) as a client runs
/// with Binance's, so no order meets a stale time offset.
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
        var clock = ManualClock.AtUnixMilliseconds(slice[history].OpenTime + 1_000);
        await using var fake = await FakeBinanceServer.StartAsync(new FakeBinanceOptions
        {
            Candles = slice,
            ClosedCandlesAtStart = history,
            ApiKey = Key,
            ApiSecret = Secret,
            Clock = clock,
            PingInterval = TimeSpan.Zero,
            UpdatesPerCandle = 1,
            // The clock jumps an hour a candle: a listenKey that outlives the run keeps the user-data stream up.
            ListenKeyTtl = TimeSpan.FromDays(30),
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
        var frames = new ConcurrentQueue<long>();
        var probes = new ConcurrentQueue<(long At, string What)>();
        var split = new Dictionary<string, List<double>>();
        var requests = new ConcurrentQueue<(long At, string Path)>();
        using var subscription = DiagnosticListener.AllListeners.Subscribe(new HttpStartObserver(requests));
        await using var session = SessionHost.Start(options, new SessionHostOptions
        {
            Time = clock,
            LogLevel = SessionLogLevel.Info,
            // The same feed the factory builds, its kline sockets timed on arrival of each final frame.
            Adjust = parts => parts with { Feed = new ProbedFeed(TimedFeed(parts.Feed, fake, clock, frames), probes), Policy = new ProbedPolicy(parts.Policy, probes) },
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var timeout = cts.Token.Register(() => session.Stop(SessionStopReason.Cancelled, "bench timeout"));
        var run = session.Completion;
        await Task.WhenAny(fake.WaitForMarketConnectionsAsync(1, TimeSpan.FromSeconds(30)), run);

        var published = new List<(int Step, long At, int LogIndex)>();
        var own = new List<double>();
        var endToEnd = new List<double>();
        var decided = 0;
        for (var i = 0; i < steps && !run.IsCompleted; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(Hour));
            frames.Clear();
            requests.Clear();
            probes.Clear();
            var at = Stopwatch.GetTimestamp();
            published.Add((decided + 1, at, fake.RequestLog.Count));
            await fake.PublishNextCandleAsync();
            decided = await WaitForStepAsync(session.Events, decided + 1, run);
            var order = requests.FirstOrDefault(r => r.Path == "POST /fapi/v1/order");
            if (order.At == 0 || !frames.TryPeek(out var frame)) continue;
            if (frames.Count != 1) continue; // a reconnect or a duplicate frame: not a clean sample
            own.Add(Stopwatch.GetElapsedTime(frame, order.At).TotalMilliseconds);
            var last = frame;
            foreach (var (pAt, what) in probes.Where(p => p.At >= frame && p.At <= order.At).Append((order.At, "order request")))
            {
                if (!split.TryGetValue(what, out var l)) split[what] = l = [];
                l.Add(Stopwatch.GetElapsedTime(last, pAt).TotalMilliseconds * 1000);
                last = pAt;
            }
            endToEnd.Add(Stopwatch.GetElapsedTime(at, order.At).TotalMilliseconds);
        }
        session.Stop();
        var drain = Task.Run(async () => { await foreach (var _ in session.Events.ReadAllAsync()) { } });
        try { await run; } catch (OperationCanceledException) { }
        await drain;

        var log = fake.RequestLog.Entries;
        var before = new List<int>();
        var perStep = new List<int>();
        for (var k = 0; k < published.Count; k++)
        {
            var (step, _, from) = published[k];
            var to = k + 1 < published.Count ? published[k + 1].LogIndex : log.Count;
            var window = log.Skip(from).Take(to - from).ToList();
            perStep.Add(window.Count);
            var order = window.FindIndex(r => r.Endpoint == "POST /fapi/v1/order" && r.ClientOrderId?.EndsWith("-" + step, StringComparison.Ordinal) == true);
            if (order < 0) continue;
            before.Add(order);
        }
        var (med, p99) = Stats.MedianP99(endToEnd);
        var (ownMed, ownP99) = Stats.MedianP99(own);
        Split = string.Join(" · ", split.Select(kv => FormattableString.Invariant($"→{kv.Key} {Stats.MedianP99(kv.Value).Item1:F0} µs")));
        return new CloseToOrderResult(published.Count, own.Count, med, p99, before.DefaultIfEmpty().Average(), perStep.DefaultIfEmpty().Average(), ownMed, ownP99);
    }

    /// <summary>Standalone: <c>dotnet run --project bench/Afml.Benchmarks -c Release -- close-to-order [steps]</c>.</summary>
    public static async Task<int> MainAsync(string[] args)
    {
        var steps = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 200;
        using var ws = new Workspace();
        var c = await RunAsync(ws.TrainingRoot("c2o"), steps);
        Console.WriteLine(FormattableString.Invariant(
            $"close→order steps={c.Steps} orders={c.Orders} own p50={c.OwnP50Ms:F3} ms p99={c.OwnP99Ms:F3} ms · end-to-end p50={c.MedianMs:F3} ms p99={c.P99Ms:F3} ms · REST before order {c.RestCallsBeforeOrder:F1}, per step {c.RestCallsPerStep:F1}"));
        Console.WriteLine("split: " + Split);
        return 0;
    }

    /// <summary>The median split of our own time between probes (frame → candle yielded by the feed → policy
    /// forward start/end → order request), of the last run.</summary>
    public static string Split { get; private set; } = "";

    private sealed class ProbedFeed(IMarketFeed inner, ConcurrentQueue<(long, string)> probes) : IMarketFeed
    {
        public Task<IReadOnlyList<Candle>> LoadHistoryAsync(CancellationToken ct) => inner.LoadHistoryAsync(ct);
        public async IAsyncEnumerable<Candle> StreamClosedCandlesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            await foreach (var c in inner.StreamClosedCandlesAsync(ct))
            {
                probes.Enqueue((Stopwatch.GetTimestamp(), "candle out of the feed"));
                yield return c;
            }
        }
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class ProbedPolicy(Afml.Core.Agent.IPolicy inner, ConcurrentQueue<(long, string)> probes) : Afml.Core.Agent.IPolicy
    {
        public Afml.Core.Agent.PolicyShape Shape => inner.Shape;
        public float Predict(ReadOnlySpan<float> market, ReadOnlySpan<float> portfolio)
        {
            probes.Enqueue((Stopwatch.GetTimestamp(), "forward start (loop, features, account)"));
            var a = inner.Predict(market, portfolio);
            probes.Enqueue((Stopwatch.GetTimestamp(), "forward end"));
            return a;
        }
        public void Dispose() => inner.Dispose();
    }

    private static IMarketFeed TimedFeed(IMarketFeed built, FakeBinanceServer fake, TimeProvider clock, ConcurrentQueue<long> frames)
    {
        var f = (BinanceMarketFeed)built;
        var feed = new BinanceMarketFeed(BinanceEnvironment.Local(new Uri(fake.RestBaseUrl), "binance-data"), f.Symbol, f.Interval, f.HistoryCandles, clock,
            new BinanceFeedOptions { StreamBelow = TimeSpan.MaxValue }, connector: new TimedConnector(frames));
        built.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return feed;
    }

    /// <summary>Kline sockets whose final frames are timestamped as our socket completes them.</summary>
    private sealed class TimedConnector(ConcurrentQueue<long> frames) : IKlineStreamConnector
    {
        public async Task<IKlineStream> ConnectAsync(Uri uri, CancellationToken ct)
        {
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(uri, ct);
            return new WebSocketKlineStream(new TimedSocket(socket, frames), TimeProvider.System);
        }
    }

    private sealed class TimedSocket(WebSocket inner, ConcurrentQueue<long> frames) : WebSocket
    {
        private static readonly byte[] Final = "\"x\":true"u8.ToArray();
        public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;
        public override string? CloseStatusDescription => inner.CloseStatusDescription;
        public override WebSocketState State => inner.State;
        public override string? SubProtocol => inner.SubProtocol;
        public override void Abort() => inner.Abort();
        public override Task CloseAsync(WebSocketCloseStatus s, string? d, CancellationToken ct) => inner.CloseAsync(s, d, ct);
        public override Task CloseOutputAsync(WebSocketCloseStatus s, string? d, CancellationToken ct) => inner.CloseOutputAsync(s, d, ct);
        public override void Dispose() => inner.Dispose();
        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken ct) => inner.ReceiveAsync(buffer, ct);
        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType t, bool end, CancellationToken ct) => inner.SendAsync(buffer, t, end, ct);
        public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken ct)
        {
            var r = await inner.ReceiveAsync(buffer, ct);
            if (r.MessageType == WebSocketMessageType.Text && buffer.Span[..r.Count].IndexOf(Final) >= 0) frames.Enqueue(Stopwatch.GetTimestamp());
            return r;
        }
    }

    /// <summary>HttpClient's DiagnosticListener: the start of each request, before its bytes are written.</summary>
    private sealed class HttpStartObserver(ConcurrentQueue<(long, string)> requests) : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(DiagnosticListener value) { if (value.Name == "HttpHandlerDiagnosticListener") value.Subscribe(this); }
        public void OnNext(KeyValuePair<string, object?> e)
        {
            if (e.Key != "System.Net.Http.HttpRequestOut.Start") return;
            var request = e.Value?.GetType().GetProperty("Request")?.GetValue(e.Value) as HttpRequestMessage;
            if (request is not null) requests.Enqueue((Stopwatch.GetTimestamp(), request.Method + " " + request.RequestUri?.AbsolutePath));
        }
        public void OnCompleted() { }
        public void OnError(Exception error) { }
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
