using System.Globalization;
using System.Text;

namespace Afml.Benchmarks.Report;

/// <summary>A temp folder with copies of the demo training (drawdown limit 1.0 so a long replay never halts) and
/// synthetic candle files; deleted at the end.</summary>
internal sealed class Workspace : IDisposable
{
    public Workspace()
    {
        Dir = Directory.CreateTempSubdirectory("afml-bench-").FullName;
    }

    public string Dir { get; }

    /// <summary>A training root holding one copy of the demo training with <c>max_drawdown_permitido: 1.0</c> (never
    /// halts), and leverage 1 with no commission or slippage: the barely trained demo model trades every candle, and
    /// with the demo's 5× leverage and 0.2 % costs its account is worth ~1e-11 USDT by decision ~38,000, where a dust
    /// position (book 1.7e-15 BTC, simulated venue 0) ends the run with a rejected reduce-only close. The step's code
    /// path is the same either way.</summary>
    public string TrainingRoot(string name)
    {
        var root = Path.Combine(Dir, name);
        var source = Paths.Samples("entrenamientos", Paths.DemoTrainId);
        var target = Path.Combine(root, Paths.DemoTrainId);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(source, file);
            if (rel.StartsWith("produccion", StringComparison.Ordinal)) continue;
            var dest = Path.Combine(target, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest);
        }
        var config = Path.Combine(target, "config_metadata.yaml");
        static string Set(string line, string key, string value)
        {
            var t = line.TrimStart();
            return t.StartsWith(key + ":", StringComparison.Ordinal) ? line[..(line.Length - t.Length)] + key + ": " + value : line;
        }
        var lines = File.ReadAllLines(config)
            .Select(l => Set(l, "max_drawdown_permitido", "1.0"))
            .Select(l => Set(l, "apalancamiento", "1.0"))
            .Select(l => Set(l, "comision", "0.0"))
            .Select(l => Set(l, "slippage", "0.0"))
            .ToArray();
        if (!lines.Any(l => l.Contains("max_drawdown_permitido: 1.0", StringComparison.Ordinal)))
            throw new InvalidOperationException($"{config}: no max_drawdown_permitido to raise");
        File.WriteAllLines(config, lines);
        return root;
    }

    /// <summary>Hourly candles from a seeded, mildly mean-reverting log random walk around 30,000 (σ 0.5 % per
    /// candle, so prices stay in a sane range over a million candles): deterministic for a given count and seed.</summary>
    public string Candles(int count, int seed = 12)
    {
        var path = Path.Combine(Dir, $"candles-{count}-{seed}.csv");
        if (File.Exists(path)) return path;
        var rng = new Random(seed);
        const double p0 = 30_000;
        var close = p0;
        var t = new DateTimeOffset(2015, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        w.Write("open_time,open,high,low,close,volume\n");
        Span<char> buf = stackalloc char[32];
        for (var i = 0; i < count; i++, t += 3_600_000)
        {
            var open = close;
            var r = 0.005 * Normal(rng) - 0.001 * Math.Log(open / p0);
            close = Math.Round(open * Math.Exp(r), 2);
            var high = Math.Round(Math.Max(open, close) * (1 + 0.002 * Math.Abs(Normal(rng))), 2);
            var low = Math.Round(Math.Min(open, close) * (1 - 0.002 * Math.Abs(Normal(rng))), 2);
            var volume = Math.Round(100 + 50 * Math.Abs(Normal(rng)), 3);
            w.Write(t.ToString(CultureInfo.InvariantCulture));
            foreach (var v in (ReadOnlySpan<double>)[open, high, low, close, volume])
            {
                w.Write(',');
                v.TryFormat(buf, out var n, "R", CultureInfo.InvariantCulture);
                w.Write(buf[..n]);
            }
            w.Write('\n');
        }
        return path;
    }

    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("AFML_BENCH_KEEP") == "1") { Console.Error.WriteLine($"workspace kept: {Dir}"); return; }
        try { Directory.Delete(Dir, recursive: true); }
        catch (IOException) { }
    }
}
