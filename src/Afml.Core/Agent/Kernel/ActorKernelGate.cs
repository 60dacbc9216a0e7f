using System.Globalization;
using Afml.Core.Configuration;

namespace Afml.Core.Agent.Kernel;

/// <summary>What <see cref="ActorKernelGate"/> decided and why.</summary>
/// <param name="UsesKernel">True when the session runs the hand-written kernel; false when it keeps OnnxRuntime.</param>
/// <param name="Engine">Human description, e.g. "kernel Avx2Fma" or "onnxruntime".</param>
/// <param name="Observations">How many observations both engines were compared on (golden + synthetic).</param>
/// <param name="MaxDifference">Largest |kernel − OnnxRuntime| on the action, or NaN when not compared.</param>
/// <param name="Warning">Why the kernel was not used, when it could have been (null otherwise).</param>
public sealed record KernelVerdict(bool UsesKernel, string Engine, int Observations, double MaxDifference, string? Warning);

/// <summary>
/// Decides, once at load, whether a session runs the actor in <see cref="DenseActorKernel"/> or keeps
/// OnnxRuntime. OnnxRuntime is the reference: the kernel's network is read back from the very ONNX file ORT runs,
/// both are run on the training's golden observations (when <c>golden/</c> has them) and on a deterministic set of
/// synthetic ones, and the kernel is used only if every action is within <see cref="Tolerance"/> of ORT's;
/// otherwise ORT stays, with a warning saying why.
/// </summary>
public static class ActorKernelGate
{
    /// <summary>Kernel vs OnnxRuntime on the action (ten times tighter than the parity gate's 1e-5 vs torch).</summary>
    public const double Tolerance = 1e-6;

    /// <summary>Synthetic observations checked on top of the golden ones.</summary>
    public const int SyntheticObservations = 2000;

    /// <summary>The policy to trade with: a <see cref="KernelPolicy"/> (the ORT policy is then disposed) or
    /// <paramref name="ort"/> itself.</summary>
    public static IPolicy Choose(OnnxPolicy ort, string modelPath, TrainingFolder? folder, out KernelVerdict verdict) =>
        Choose(ort, modelPath, folder, (net, shape) => new KernelPolicy(new DenseActorKernel(net), shape), out verdict);

    /// <summary><see cref="Choose(OnnxPolicy, string, TrainingFolder?, out KernelVerdict)"/> with the candidate
    /// built by <paramref name="candidate"/> (tests hand it a policy that disagrees).</summary>
    internal static IPolicy Choose(OnnxPolicy ort, string modelPath, TrainingFolder? folder, Func<Sb3.ActorNetwork, PolicyShape, IPolicy> candidate, out KernelVerdict verdict)
    {
        var net = OnnxActorReader.TryRead(modelPath, out var reason);
        if (net is null || !DenseActorKernel.Supports(net.Activation))
        {
            verdict = new KernelVerdict(false, "onnxruntime", 0, double.NaN,
                $"{Path.GetFileName(modelPath)}: the actor runs on OnnxRuntime (~7 µs per decision) — the hand-written kernel does not run this graph: {(net is null ? reason : $"activation {net.Activation}")}.");
            return ort;
        }
        IPolicy kernel;
        try
        {
            kernel = candidate(net, ort.Shape);
        }
        catch (ArgumentException ex)
        {
            verdict = new KernelVerdict(false, "onnxruntime", 0, double.NaN, $"{Path.GetFileName(modelPath)}: the actor runs on OnnxRuntime — {ex.Message}.");
            return ort;
        }
        var (count, worst, worstWhere) = Compare(ort, kernel, folder);
        if (!(worst <= Tolerance))
        {
            verdict = new KernelVerdict(false, "onnxruntime", count, worst,
                $"{Path.GetFileName(modelPath)}: the hand-written kernel differs from OnnxRuntime by {worst.ToString("E2", CultureInfo.InvariantCulture)} on {worstWhere} (tolerance {Tolerance.ToString("E0", CultureInfo.InvariantCulture)}); the actor runs on OnnxRuntime.");
            kernel.Dispose();
            return ort;
        }
        verdict = new KernelVerdict(true, kernel is KernelPolicy k ? $"kernel {k.Path}" : "kernel", count, worst, null);
        ort.Dispose();
        return kernel;
    }

    /// <summary>Both engines on the golden observations (if any) and <see cref="SyntheticObservations"/> synthetic
    /// ones: count, the largest action difference, and where it was.</summary>
    public static (int Count, double Worst, string Where) Compare(IPolicy reference, IPolicy candidate, TrainingFolder? folder)
    {
        var shape = reference.Shape;
        var count = 0;
        double worst = 0;
        var where = "";
        void Check(float[] m, float[] p, string label)
        {
            var a = reference.Predict(m, p);
            var b = candidate.Predict(m, p);
            var d = Math.Abs((double)a - b);
            if (double.IsNaN(d)) d = double.PositiveInfinity;
            count++;
            if (d > worst) { worst = d; where = label; }
        }
        if (folder is not null)
            foreach (var (m, p, step) in GoldenObservations(folder, shape))
                Check(m, p, $"golden step {step}");
        foreach (var (m, p, i) in Synthetic(shape, SyntheticObservations))
            Check(m, p, $"synthetic observation {i}");
        return (count, worst, where);
    }

    /// <summary>Deterministic observations shaped like the live ones: scaled features mostly within ±3 with rare
    /// tails to ±8, equity ratio 0.3–2, unrealised PnL ratio ±0.5, position −1/0/1; the first few are edge cases
    /// (all zeros, all ±large).</summary>
    public static IEnumerable<(float[] Market, float[] Portfolio, int Index)> Synthetic(PolicyShape shape, int n)
    {
        var rng = new Random(20261202);
        for (var i = 0; i < n; i++)
        {
            var m = new float[shape.MarketLength];
            var p = new float[shape.PortfolioSize];
            switch (i)
            {
                case 0: break;
                case 1: Array.Fill(m, 8f); Array.Fill(p, 1f); break;
                case 2: Array.Fill(m, -8f); Array.Fill(p, -1f); break;
                default:
                    for (var k = 0; k < m.Length; k++)
                    {
                        // Box–Muller normal, with a heavier tail now and then.
                        var z = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                        m[k] = (float)(rng.Next(50) == 0 ? z * 3 : z);
                    }
                    if (p.Length == 3)
                    {
                        p[0] = (float)(0.3 + 1.7 * rng.NextDouble());
                        p[1] = (float)(rng.NextDouble() - 0.5);
                        p[2] = rng.Next(3) - 1;
                    }
                    else for (var k = 0; k < p.Length; k++) p[k] = (float)(rng.NextDouble() * 2 - 1);
                    break;
            }
            yield return (m, p, i);
        }
    }

    private static IEnumerable<(float[] Market, float[] Portfolio, int Step)> GoldenObservations(TrainingFolder folder, PolicyShape shape)
    {
        var marketPath = Path.Combine(folder.GoldenDir, ParityGate.MarketFile);
        var portfolioPath = Path.Combine(folder.GoldenDir, ParityGate.PortfolioFile);
        if (!File.Exists(marketPath) || !File.Exists(portfolioPath)) yield break;
        using var market = new StreamReader(marketPath);
        using var portfolio = new StreamReader(portfolioPath);
        var pHeader = (portfolio.ReadLine() ?? "").Split(',');
        market.ReadLine();
        var pCols = new[] { "equity_feat", "pnl_feat", "position_feat" }.Select(c => Array.IndexOf(pHeader, c)).ToArray();
        if (pCols.Any(c => c < 0) || pCols.Length != shape.PortfolioSize) yield break;
        var step = 0;
        while (market.ReadLine() is { } ml && portfolio.ReadLine() is { } pl)
        {
            if (ml.Length == 0) continue;
            var mf = ml.Split(',');
            var pf = pl.Split(',');
            if (mf.Length != shape.MarketLength + 1) yield break;
            var m = new float[shape.MarketLength];
            var p = new float[shape.PortfolioSize];
            for (var i = 0; i < m.Length; i++) m[i] = Number(mf[i + 1]);
            for (var i = 0; i < p.Length; i++) p[i] = Number(pf[pCols[i]]);
            yield return (m, p, step++);
        }
    }

    private static float Number(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? (float)v : float.NaN;
}
