using Afml.Core.Agent;
using Afml.Core.Configuration;
using Afml.Core.Features;
using Afml.Core.MarketData;
using Afml.Core.Portfolio;
using BenchmarkDotNet.Attributes;

namespace Afml.Benchmarks;

/// <summary>
/// The per-candle decision path on the demo training, one stage at a time. Targets (checked by eye in the
/// report, recorded in the README): feature update and observation build allocate nothing; one ONNX forward
/// stays in the tens of microseconds; a whole decision is far below a millisecond, so even a 1m interval
/// leaves the loop idle >99.9% of the time.
/// </summary>
[MemoryDiagnoser]
public class DecisionPathBenchmarks
{
    private IReadOnlyList<Candle> _candles = [];
    private LoadedTraining _training = null!;
    private FeaturePipeline _features = null!;
    private ObservationBuilder _observation = null!;
    private OnnxPolicy _policy = null!;
    private IPolicy _kernel = null!;
    private TrainingPortfolio _book = null!;
    private ActionInterpreter _interpreter = null!;
    private double[] _row = [];
    private float[] _market = [];
    private readonly float[] _portfolio = new float[3];
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        var root = Paths.Samples("entrenamientos");
        var training = _training = TrainingLoader.Load(root, Paths.DemoTrainId);
        var config = training.Config;
        _candles = ContinuityFiller.Fill(CandleCsvReader.Read(Paths.Samples("data", "BTCUSDT-1h.csv")), config.Market.Interval, out _);
        _features = training.NewFeaturePipeline();
        _observation = new ObservationBuilder(training.Scaler, config.Environment.WindowSize);
        _policy = OnnxPolicy.Load(training.ModelPath);
        _kernel = training.Policy; // the hand-written kernel when ActorKernelGate accepted it
        _book = new TrainingPortfolio(new PortfolioSettings(config.Portfolio.InitialCapital, config.Portfolio.Leverage, config.Portfolio.Commission, config.Portfolio.Slippage));
        _interpreter = new ActionInterpreter(config.Environment.HoldThreshold);
        _row = new double[_features.FeatureCount];
        _market = new float[_policy.Shape.MarketLength];
        for (_i = 0; _i < 1000; _i++) Push(_candles[_i]);
    }

    private bool Push(in Candle c)
    {
        var ok = _features.Update(c, _row);
        if (ok) _observation.Push(_row);
        return ok;
    }

    private Candle Next()
    {
        if (_i >= _candles.Count)
        {
            // Restart the stream: a fresh pipeline, since candles must keep increasing.
            _features = _training.NewFeaturePipeline();
            for (_i = 0; _i < 1000; _i++) Push(_candles[_i]);
        }
        return _candles[_i++];
    }

    [Benchmark(Description = "features: one candle")]
    public bool FeatureUpdate() => Push(Next());

    [Benchmark(Description = "observation: copy window")]
    public float ObservationCopy()
    {
        _observation.CopyMarket(_market);
        return _market[0];
    }

    [Benchmark(Description = "agent: ONNX forward")]
    public float Predict() => _policy.Predict(_market, _portfolio);

    [Benchmark(Description = "agent: kernel forward")]
    public float PredictKernel() => _kernel.Predict(_market, _portfolio);

    [Benchmark(Description = "decision: candle → action → plan")]
    public bool Decision()
    {
        var c = Next();
        Push(c);
        _observation.CopyMarket(_market);
        PortfolioFeatures.Compute(_book, c.Close, _book.Settings.InitialCapital, true, _portfolio);
        var a = _policy.Predict(_market, _portfolio);
        var plan = _book.Plan(_interpreter.Interpret(a, _book.Position?.Side), c.Close);
        return plan.HasOrder;
    }

    [Benchmark(Description = "decision with the kernel: candle → action → plan")]
    public bool DecisionKernel()
    {
        var c = Next();
        Push(c);
        _observation.CopyMarket(_market);
        PortfolioFeatures.Compute(_book, c.Close, _book.Settings.InitialCapital, true, _portfolio);
        var a = _kernel.Predict(_market, _portfolio);
        var plan = _book.Plan(_interpreter.Interpret(a, _book.Position?.Side), c.Close);
        return plan.HasOrder;
    }
}

internal static class Paths
{
    /// <summary>The repository root: the folder above <c>samples/</c>.</summary>
    public static string RepoRoot() => Path.GetDirectoryName(Samples())!;

    public const string DemoTrainId = "train_BTCUSDT_20230101_20241231_lr0.0003_bs256_ws30_20261124_221259";

    public static string Samples(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples");
            if (Directory.Exists(Path.Combine(candidate, "entrenamientos"))) return Path.Combine([candidate, .. parts]);
        }
        throw new DirectoryNotFoundException("samples/ not found above " + AppContext.BaseDirectory);
    }
}
