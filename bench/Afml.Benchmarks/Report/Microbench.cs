using System.Diagnostics;
using Afml.Core.Agent;
using Afml.Core.Agent.Kernel;
using Afml.Core.Exchange;
using Afml.Core.Features;
using Afml.Core.MarketData;
using Afml.Core.Portfolio;
using Afml.Core.Recording;
using Afml.Core.Session;

namespace Afml.Benchmarks.Report;

/// <summary>Median and p99 of one thing, in nanoseconds.</summary>
internal sealed record Timing(string What, double MedianNs, double P99Ns, int Samples);

/// <summary>
/// Stopwatch harnesses over the decision path on the demo training and real BTCUSDT candles: the forward alone
/// and a whole decision (candle → features → observation → forward → plan), each with OnnxRuntime and with the
/// kernel; and the split of a replay step into its stages, timed one by one on the same components the session
/// loop uses (features, observation, forward, book = plan + simulated fill + apply, registro row, status file).
/// </summary>
internal sealed class Microbench : IDisposable
{
    private readonly LoadedTraining _training;
    private readonly IReadOnlyList<Candle> _candles;
    private readonly OnnxPolicy _ort;
    private readonly IPolicy _kernel;

    public Microbench(string root)
    {
        _training = TrainingLoader.Load(root, Paths.DemoTrainId);
        _candles = ContinuityFiller.Fill(CandleCsvReader.Read(Paths.Samples("data", "BTCUSDT-1h.csv")), _training.Config.Market.Interval, out _);
        _ort = OnnxPolicy.Load(_training.ModelPath);
        _kernel = _training.Policy;
        KernelVerdict = _training.Actor;
    }

    public KernelVerdict? KernelVerdict { get; }

    /// <summary>Bytes the split's stages (features → registro row, the status write excluded) allocated per step in the steady state.</summary>
    public double AllocatedBytesPerStep { get; private set; } = double.NaN;

    public string ModelPath => _training.ModelPath;

    /// <summary>Observations of a real run: every (market, portfolio) the demo model sees over the candle file.</summary>
    private List<(float[] M, float[] P)> Observations(int max)
    {
        var features = _training.NewFeaturePipeline();
        var obs = new ObservationBuilder(_training.Scaler, _training.Config.Environment.WindowSize);
        var row = new double[features.FeatureCount];
        var list = new List<(float[], float[])>();
        var rng = new Random(5);
        foreach (var c in _candles)
        {
            if (!features.Update(c, row)) continue;
            obs.Push(row);
            if (!obs.IsReady) continue;
            var m = new float[_kernel.Shape.MarketLength];
            obs.CopyMarket(m);
            list.Add((m, [(float)(0.8 + 0.4 * rng.NextDouble()), (float)(rng.NextDouble() * 0.2 - 0.1), rng.Next(3) - 1]));
            if (list.Count >= max) break;
        }
        return list;
    }

    public IReadOnlyList<Timing> Forward(int samples = 20_000)
    {
        var obs = Observations(64); // a few distinct inputs, all in cache: the forward, not memory, is timed
        Timing Time(string what, IPolicy policy)
        {
            for (var i = 0; i < 2_000; i++) policy.Predict(obs[i % obs.Count].M, obs[i % obs.Count].P);
            var ns = new double[samples];
            for (var i = 0; i < samples; i++)
            {
                var (m, p) = obs[i % obs.Count];
                var t0 = Stopwatch.GetTimestamp();
                policy.Predict(m, p);
                ns[i] = Stats.TicksToNs(Stopwatch.GetTimestamp() - t0);
            }
            var (med, p99) = Stats.MedianP99(ns);
            return new Timing(what, med, p99, samples);
        }
        return [Time("forward: OnnxRuntime", _ort), Time($"forward: {KernelVerdict?.Engine ?? "kernel"}", _kernel)];
    }

    public IReadOnlyList<Timing> Decision(int samples = 20_000)
    {
        Timing Time(string what, IPolicy policy)
        {
            var config = _training.Config;
            var features = _training.NewFeaturePipeline();
            var obs = new ObservationBuilder(_training.Scaler, config.Environment.WindowSize);
            var book = new TrainingPortfolio(new PortfolioSettings(config.Portfolio.InitialCapital, config.Portfolio.Leverage, config.Portfolio.Commission, config.Portfolio.Slippage));
            var interpreter = new ActionInterpreter(config.Environment.HoldThreshold);
            var row = new double[features.FeatureCount];
            var market = new float[policy.Shape.MarketLength];
            var portfolio = new float[PortfolioFeatures.Count];
            var ns = new List<double>(samples);
            var i = 0;
            while (ns.Count < samples)
            {
                if (i >= _candles.Count)
                {
                    i = 0;
                    features = _training.NewFeaturePipeline();
                    obs = new ObservationBuilder(_training.Scaler, config.Environment.WindowSize);
                }
                var c = _candles[i++];
                var t0 = Stopwatch.GetTimestamp();
                if (!features.Update(c, row)) continue;
                obs.Push(row);
                if (!obs.IsReady) continue;
                obs.CopyMarket(market);
                PortfolioFeatures.Compute(book, c.Close, book.Settings.InitialCapital, true, portfolio);
                var a = policy.Predict(market, portfolio);
                var plan = book.Plan(interpreter.Interpret(a, book.Position?.Side), c.Close);
                var t1 = Stopwatch.GetTimestamp();
                GC.KeepAlive(plan);
                ns.Add(Stats.TicksToNs(t1 - t0));
            }
            var (med, p99) = Stats.MedianP99(ns.Skip(ns.Count / 10));
            return new Timing(what, med, p99, ns.Count);
        }
        return [Time("decision (candle → plan): OnnxRuntime", _ort), Time($"decision (candle → plan): {KernelVerdict?.Engine ?? "kernel"}", _kernel)];
    }

    /// <summary>Each stage of a replay step timed on its own over <paramref name="steps"/> real steps.</summary>
    public IReadOnlyList<Timing> StageSplit(string scratchDir, int steps = 8_000)
    {
        var config = _training.Config;
        var features = _training.NewFeaturePipeline();
        var obs = new ObservationBuilder(_training.Scaler, config.Environment.WindowSize);
        var settings = new PortfolioSettings(config.Portfolio.InitialCapital, config.Portfolio.Leverage, config.Portfolio.Commission, config.Portfolio.Slippage);
        var book = new TrainingPortfolio(settings);
        var exchange = new SimulatedExchange(settings.InitialCapital, settings.Commission, settings.Slippage);
        var interpreter = new ActionInterpreter(config.Environment.HoldThreshold);
        Directory.CreateDirectory(scratchDir);
        using var registro = RegistroWriter.Create(scratchDir, DateTimeOffset.Now, CsvFlush.Buffered); // as a replay writes it
        var status = new SessionStatusFile(Path.Combine(scratchDir, "sesion_bench.status.json"));
        var row = new double[features.FeatureCount];
        var market = new float[_kernel.Shape.MarketLength];
        var portfolio = new float[PortfolioFeatures.Count];
        string[] names = ["features", "observation", "forward", "book", "registro", "status"];
        var ns = names.Select(_ => new List<double>(steps)).ToArray();
        var paso = 0;
        long allocated = 0, allocatedSteps = 0;
        for (var i = 0; i < _candles.Count && paso < steps; i++)
        {
            var c = _candles[i];
            var a0 = GC.GetAllocatedBytesForCurrentThread();
            var t0 = Stopwatch.GetTimestamp();
            var ok = features.Update(c, row);
            if (ok) obs.Push(row);
            var t1 = Stopwatch.GetTimestamp();
            if (!ok || !obs.IsReady) continue;
            paso++;
            var price = (double)(float)c.Close;
            book.OnNewCandle();
            obs.CopyMarket(market);
            PortfolioFeatures.Compute(book, price, settings.InitialCapital, config.Environment.NormalizePortfolio, portfolio);
            var t2 = Stopwatch.GetTimestamp();
            var action = _kernel.Predict(market, portfolio);
            var t3 = Stopwatch.GetTimestamp();
            exchange.OnPrice(config.Market.Symbol, price);
            var plan = book.Plan(interpreter.Interpret(Math.Clamp(action, -1f, 1f), book.Position?.Side), price);
            var record = plan.Record;
            if (plan.HasOrder)
            {
                var fill = exchange.PlaceMarketOrderAsync(new MarketOrderRequest(config.Market.Symbol, plan.Side!.Value, plan.Quantity, plan.ReduceOnly, $"bench-{paso}", price), default).Result;
                record = book.Apply(plan, fill.Data!.AveragePrice, fill.Data.ExecutedQuantity);
            }
            var t4 = Stopwatch.GetTimestamp();
            var pos = book.Position;
            var decisionTime = c.OpenTimeUtc.AddHours(1);
            registro.Write(new RegistroRow
            {
                Timestamp = decisionTime, Paso = paso, Action = action, Precio = price, Balance = book.Balance,
                Equity = book.Equity(price), MaxDrawdown = book.MaxDrawdown(price), PnlTotal = book.PnlTotal,
                PosicionAbierta = pos is not null, TipoPosicionActiva = pos?.Side.ToReferenceName(), PrecioEntradaActiva = pos?.EntryPrice,
                CantidadActiva = pos?.Quantity, PnlNoRealizado = pos is null ? null : book.UnrealizedPnl(price),
                TipoAccion = record?.ActionType, Operacion = record?.Operation ?? "mantener", Resultado = record?.Success ?? true,
                Error = record?.Error, TradeId = record?.TradeId, PrecioEntrada = record?.EntryPrice, Comision = record?.Commission,
                OpenTime = c.OpenTimeUtc, PnlRealizado = record?.RealizedPnl, ClientOrderId = plan.HasOrder ? $"bench-{paso}" : null, EstadoTrading = "ACTIVE",
            });
            var t5 = Stopwatch.GetTimestamp();
            if (paso > steps / 10)
            {
                allocated += GC.GetAllocatedBytesForCurrentThread() - a0; // features → registro row: what a replay step allocates of its own
                allocatedSteps++;
            }
            status.Write(new SessionStatus
            {
                SessionId = "bench", TrainId = config.TrainId, Venue = "simulated", Symbol = config.Market.Symbol, ProcessId = Environment.ProcessId,
                State = "Running", TradingState = "ACTIVE", StartedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow, Step = paso,
                LastCandle = c.OpenTimeUtc, Price = price, Equity = book.Equity(price), Balance = book.Balance, Drawdown = book.MaxDrawdown(price),
                MaxDrawdownAllowed = 1.0, Position = pos?.Side.ToReferenceName(), PositionQuantity = pos?.Quantity ?? 0, LastAction = action,
                RegistroPath = registro.Path,
            });
            var t6 = Stopwatch.GetTimestamp();
            ns[0].Add(Stats.TicksToNs(t1 - t0));
            ns[1].Add(Stats.TicksToNs(t2 - t1));
            ns[2].Add(Stats.TicksToNs(t3 - t2));
            ns[3].Add(Stats.TicksToNs(t4 - t3));
            ns[4].Add(Stats.TicksToNs(t5 - t4));
            ns[5].Add(Stats.TicksToNs(t6 - t5));
        }
        AllocatedBytesPerStep = allocated / (double)Math.Max(1, allocatedSteps);
        return names.Select((n, k) =>
        {
            var (med, p99) = Stats.MedianP99(ns[k].Skip(ns[k].Count / 10));
            return new Timing(n, med, p99, ns[k].Count);
        }).ToList();
    }

    public void Dispose()
    {
        _ort.Dispose();
        _training.Dispose();
    }
}
