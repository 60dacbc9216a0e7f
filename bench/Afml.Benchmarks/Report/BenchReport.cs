using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using static Afml.Benchmarks.Report.Stats;

namespace Afml.Benchmarks.Report;

/// <summary>
/// <c>build.ps1 Bench</c>: one report with every figure of issue 12 — replay candles/s and peak RSS at 10k, 100k and
/// 1M decisions (a child process each), the stage split of a step, 1/2/4 sessions in one process, close → order
/// on the fake Binance, forward and decision median/p99 with OnnxRuntime and with the kernel. Printed and written
/// to <c>out/bench/report-*.md</c>.
/// </summary>
internal static class BenchReport
{
    public static async Task<int> MainAsync(string[] args)
    {
        var outDir = Arg(args, "--out") ?? Path.Combine(Paths.RepoRoot(), "out", "bench");
        var sizes = (Arg(args, "--sizes") ?? "10000,100000,1000000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var budget = TimeSpan.FromSeconds(double.Parse(Arg(args, "--budget") ?? "120", CultureInfo.InvariantCulture));
        var sessionSteps = int.Parse(Arg(args, "--session-steps") ?? "3000", CultureInfo.InvariantCulture);
        var latencySteps = int.Parse(Arg(args, "--latency-steps") ?? "200", CultureInfo.InvariantCulture);
        // --parts decision,split,replay,sessions,latency (default all): to iterate on one part without the rest.
        var parts = (Arg(args, "--parts") ?? "decision,split,replay,sessions,latency").Split(',');
        bool Part(string name) => parts.Contains(name, StringComparer.Ordinal);
        Directory.CreateDirectory(outDir);
        var started = Stopwatch.StartNew();
        var md = new StringBuilder();
        void Line(string s = "")
        {
            md.Append(s).Append('\n');
            Console.WriteLine(s);
        }

        using var ws = new Workspace();
        var roots = Enumerable.Range(0, 4).Select(i => ws.TrainingRoot($"root{i}")).ToArray();

        Line($"# Afml bench report — {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Line();
        Line(F($"Machine: {CpuModel()}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; load average at start {LoadAverage()} (the machine is shared: compare CPU time per candle, less sensitive to other jobs than wall time); demo training copied with the drawdown limit raised to 1.0, leverage 1 and no costs, so that no run halts (see Workspace)."));
        Line();

        // Fixed costs, reported apart from the replay's run.
        Line("## Fixed costs (paid once per process or per session, not per candle)");
        Line();
        Line("| what | time |");
        Line("|---|---:|");
        if (Arg(args, "--pwsh-start-ms") is { } pwshStart) Line(F($"| PowerShell start (`pwsh -NoProfile`, median of 5) | {double.Parse(pwshStart, CultureInfo.InvariantCulture):F0} ms |"));
        if (Arg(args, "--import-ms") is { } import) Line(F($"| `Import-Module Afml` on top of it (median of 5) | {double.Parse(import, CultureInfo.InvariantCulture):F0} ms |"));
        {
            var loads = new List<double>();
            for (var i = 0; i < 3; i++)
            {
                var t = Stopwatch.StartNew();
                using (Afml.Core.Agent.TrainingLoader.Load(roots[0], Paths.DemoTrainId)) { }
                loads.Add(t.Elapsed.TotalMilliseconds);
            }
            Line(F($"| training load: config, scaler, modelo.onnx into an OnnxRuntime session, kernel built and gated against it (2,000+ observations); first / then | {loads[0]:F0} / {loads.Skip(1).Min():F0} ms |"));
        }
        Line("| process start to Main (replay child, no PowerShell) | see the replay table |");
        Line("| the replay's pass over its candle file before the start (every check; nothing kept) | see the replay table |");
        Line();

        // Decision path.
        Timing? kernelForward = null;
        Console.Error.WriteLine("… forward and decision");
        if (Part("decision") || Part("split"))
        using (var micro = new Microbench(roots[0]))
        {
            var v = micro.KernelVerdict;
            Line(v is null ? "Actor engine: OnnxRuntime." : F($"Actor engine chosen at load: **{v.Engine}** (checked against OnnxRuntime on {v.Observations} observations, the training's golden ones if it has any plus {Afml.Core.Agent.Kernel.ActorKernelGate.SyntheticObservations} synthetic: max |Δ action| {v.MaxDifference:E2}; tolerance 1e-6).{(v.Warning is { } w ? " " + w : "")}"));
            var gate = Stopwatch.StartNew();
            using (Afml.Core.Agent.Kernel.ActorKernelGate.Choose(Afml.Core.Agent.OnnxPolicy.Load(micro.ModelPath), micro.ModelPath, null, out _)) { }
            Line(F($"The check at load (read the ONNX, build the kernel, both engines on the synthetic observations) took {gate.Elapsed.TotalMilliseconds:F0} ms."));
            Line();
            Line("## Decision path (Stopwatch, one call at a time)");
            Line();
            Line("| what | median | p99 | calls |");
            Line("|---|---:|---:|---:|");
            var forward = micro.Forward();
            kernelForward = forward[^1];
            foreach (var t in forward.Concat(micro.Decision()))
                Line(F($"| {t.What} | {Ns(t.MedianNs)} | {Ns(t.P99Ns)} | {t.Samples:N0} |"));
            Line();

            Console.Error.WriteLine("… stage split");
            var split = micro.StageSplit(Path.Combine(ws.Dir, "split"));
            var total = split.Sum(s => s.MedianNs);
            Line("## Stage split of a replay step (the loop's components timed one by one over 8,000 real steps; status = one JSON rewrite + rename, timed on every step here although the session now rewrites the file about once a second)");
            Line();
            Line("| stage | median | p99 | share of the medians |");
            Line("|---|---:|---:|---:|");
            foreach (var s in split) Line(F($"| {s.What} | {Ns(s.MedianNs)} | {Ns(s.P99Ns)} | {100 * s.MedianNs / total:F1} % |"));
            Line(F($"| **sum** | {Ns(total)} | | |"));
            Line();
            Line(F($"Allocated per step by the stages features → registro row (status write excluded), steady state: **{micro.AllocatedBytesPerStep:F0} B** (GC.GetAllocatedBytesForCurrentThread; the registro is written buffered, as a replay writes it)."));
            Line();
        }

        // Replay end to end.
        Line("## Replay end to end (a child process per run: a SessionHost per session as `Start-AfmlSession -Replay -Quiet` runs it)");
        Line();
        Line("Synthetic hourly candles (seeded, mean-reverting random walk) written to a temp dir; the file is streamed as the replay plays (read once before the start with every check, nothing kept, then again as it plays). load = training + that first pass over the file (timed alone in the next column, in the parent process); process start = runtime start to Main (no PowerShell import); allocated/step = every allocation of the child process during the run (all threads) over its decisions.");
        Line();
        Line("| decisions | candles/s | µs/candle | CPU µs/candle | CPU/wall (cores busy) | first candle after | JIT during the run | load | of it: file pass | process start | peak RSS | allocated/step | GCs 0/1/2 | user CPU | sys CPU | note |");
        Line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        var replays = new List<(int Size, ReplayRun Run)>();
        var knobbed = new List<(int Size, ReplayRun Run)>();
        var pinned = new List<(int Size, ReplayRun Run)>();
        var pgoOff = new Dictionary<string, string> { ["DOTNET_TieredPGO"] = "0" };
        foreach (var size in Part("replay") ? sizes : [])
        {
            Console.Error.WriteLine(F($"… replay {size:N0}"));
            var csv = ws.Candles(size + 1_000);
            var pass = Stopwatch.StartNew();
            Afml.Core.MarketData.ReplayCandleLoader.Plan(csv, Afml.Core.MarketData.CandleInterval.Parse("1h"), 250, 30, null, null, new List<string>());
            pass.Stop();
            var r = await ReplayChild.RunAsync([(roots[0], csv)], size, budget);
            replays.Add((size, r));
            Line(F($"| {size:N0} | {r.CandlesPerSecond:N0} | {r.MicrosPerCandle:F1} | {Cpu(r):F1} | {CpuPerWall(r):F2} | {r.FirstDecisionSeconds * 1e3:F0} ms | {r.JitMethods:N0} methods, {r.JitSeconds * 1e3:F0} ms | {r.LoadSeconds:F2} s | {pass.Elapsed.TotalSeconds:F2} s | {r.StartupSeconds:F2} s | {r.PeakRssMiB:F0} MiB | {r.AllocatedBytesPerStep:F0} B | {r.Gen0}/{r.Gen1}/{r.Gen2} | {r.UserSeconds:F1} s | {r.SystemSeconds:F1} s | {(r.Cut ? $"stopped after {r.Steps:N0} decisions ({r.StopReasons}; budget {budget.TotalSeconds:F0} s)" : "")} |"));
            if (OneCore.Available)
            {
                Console.Error.WriteLine(F($"… replay {size:N0} on one core"));
                pinned.Add((size, await ReplayChild.RunAsync([(roots[0], csv)], size, budget, oneCore: true)));
            }
            Console.Error.WriteLine(F($"… replay {size:N0} with DOTNET_TieredPGO=0"));
            knobbed.Add((size, await ReplayChild.RunAsync([(roots[0], csv)], size, budget, pgoOff)));
            if (Environment.GetEnvironmentVariable("AFML_BENCH_KEEP") != "1") File.Delete(csv);
        }
        Line();
        Line("CPU µs/candle = the child's CPU time over its decisions (all threads; CLOCK_PROCESS_CPUTIME_ID, the user/sys columns are 10 ms ticks); CPU/wall = that CPU time over the run's wall time: 1.00 is one core busy. first candle after = from the run's start (feed released) to the first candle of the play: the session's start (warm-up history, leverage, rules, first status write), JIT included. JIT during the run = methods the JIT compiled and its time (System.Runtime.JitInfo; tier-ups of hot code included, mostly on the runtime's background compiler thread).");
        Line();
        Line("Threads that used CPU during each run (/proc/self/task):");
        Line();
        foreach (var (size, r) in replays) Line(F($"- {size:N0}: {r.Threads}"));
        Line();
        // The same sizes in another setting of the process: one table each.
        void Variant(string heading, string text, List<(int Size, ReplayRun Run)> runs)
        {
            if (runs.Count == 0) return;
            Line(heading);
            Line();
            Line(text);
            Line();
            Line("| decisions | candles/s | µs/candle | CPU µs/candle | CPU/wall | first candle after | JIT during the run | peak RSS |");
            Line("|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (size, r) in runs)
                Line(F($"| {size:N0} | {r.CandlesPerSecond:N0} | {r.MicrosPerCandle:F1} | {Cpu(r):F1} | {CpuPerWall(r):F2} | {r.FirstDecisionSeconds * 1e3:F0} ms | {r.JitMethods:N0} methods, {r.JitSeconds * 1e3:F0} ms | {r.PeakRssMiB:F0} MiB |"));
            Line();
        }
        Variant(F($"### The same runs confined to one core (`taskset -c {OneCore.Cpu}`: the whole process, from its start)"),
            "\"On one core\" taken literally: the child can use one CPU only, so everything it does, the runtime's JIT included, shares the session's core and counts in its wall time. The runtime then also sees one processor, and on one processor it waits ten times longer before recompiling hot methods (its tier-up delay), so a replay of this length keeps running the ReadyToRun code it started with.", pinned);
        Variant("### The same runs with `DOTNET_TieredPGO=0` (a runtime setting of the process)",
            "The runs above use the runtime's defaults, as `Start-AfmlSession` gets them inside pwsh. With its default dynamic PGO the runtime recompiles hot methods once more with instrumentation before their final tier: a short replay spends part of its run in that slower code, and the extra compilations (on the runtime's background thread) count in its CPU time (AFML_BENCH_JITLOG=1 lists every method compiled, with its tier and time, and the ReadyToRun methods first called). Turning dynamic PGO off skips that phase. It is read once when a process starts: for pwsh, set it in the environment pwsh starts from (`DOTNET_TieredPGO=0 pwsh`, or `$env:DOTNET_TieredPGO = '0'` in a parent shell before `pwsh`); it cannot be changed from inside a running pwsh.", knobbed);

        // Sessions in one process.
        Console.Error.WriteLine("… sessions 1/2/4");
        Line(F($"## Several replay sessions in one process ({sessionSteps:N0} decisions each, one child process per row)"));
        Line();
        Line("| sessions | total candles/s | per session | vs 1 session | peak RSS |");
        Line("|---:|---:|---:|---:|---:|");
        double? one = null;
        var scaling = new List<(int N, double X)>();
        foreach (var n in Part("sessions") ? [1, 2, 4] : Array.Empty<int>())
        {
            var files = Enumerable.Range(0, n).Select(i => (roots[i], ws.Candles(sessionSteps + 1_000, seed: 100 + i))).ToList();
            var r = await ReplayChild.RunAsync(files, sessionSteps, budget);
            one ??= r.CandlesPerSecond;
            scaling.Add((n, r.CandlesPerSecond / one.Value));
            Line(F($"| {n} | {r.CandlesPerSecond:N0} | {r.CandlesPerSecond / n:N0} | {r.CandlesPerSecond / one.Value:F2}× | {r.PeakRssMiB:F0} MiB |"));
        }
        Line();

        // Close → order.
        Console.Error.WriteLine("… close → order on the fake");
        var c = Part("latency") ? await CloseToOrder.RunAsync(roots[0], latencySteps) : new CloseToOrderResult(0, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        Line("## Live step on the fake Binance (loopback, in process, healthy user-data stream)");
        Line();
        Line("Our own time: the final kline frame at our socket → the step's order request starting in HttpClient. End to end: the fake publishing the close → the same point.");
        Line();
        Line("| steps | with an order | own p50 | own p99 | end-to-end p50 | end-to-end p99 | REST calls before the order | REST calls per step |");
        Line("|---:|---:|---:|---:|---:|---:|---:|---:|");
        Line(F($"| {c.Steps} | {c.Orders} | {c.OwnP50Ms:F3} ms | {c.OwnP99Ms:F2} ms | {c.MedianMs:F3} ms | {c.P99Ms:F2} ms | {c.RestCallsBeforeOrder:F1} | {c.RestCallsPerStep:F1} |"));
        Line();
        Line("Split of our own time (medians): " + CloseToOrder.Split);
        Line();

        // Targets.
        var tenK = replays.FirstOrDefault(r => r.Size == 10_000).Run;
        var oneM = replays.FirstOrDefault(r => r.Size == 1_000_000).Run;
        Line("## Issue 12 targets");
        Line();
        Line("| target | measured | met |");
        Line("|---|---|---|");
        foreach (var (label, runs) in new[] { (", all cores, runtime defaults", replays), (", confined to one core", pinned), (", DOTNET_TieredPGO=0", knobbed) })
            foreach (var (size, r) in runs)
                Line(F($"| replay ≥ 100,000 candles/s on one core ({size:N0}{label}): wall ≥ 100,000/s and CPU ≤ 10 µs per candle | {r.CandlesPerSecond:N0}/s, {Cpu(r):F1} CPU µs/candle, {CpuPerWall(r):F2} cores busy | {(r.CandlesPerSecond >= 100_000 && Cpu(r) <= 10 ? "yes" : "no")} |"));
        if (tenK is not null && oneM is not null)
        {
            Line(F($"| peak RSS at 1M within 10 % of 10k | {oneM.PeakRssMiB:F0} vs {tenK.PeakRssMiB:F0} MiB ({100 * (oneM.PeakRssMiB / tenK.PeakRssMiB - 1):+0;-0} %){(oneM.Cut ? F($" (the 1M run stopped after {oneM.Steps:N0} decisions; the whole file was loaded)") : "")} | {(oneM.PeakRssMiB <= 1.1 * tenK.PeakRssMiB ? "yes" : "no")} |"));
            Line(F($"| per-candle cost at 1M at most 10 % above 10k's (no growth with the run's length) | {oneM.MicrosPerCandle:F1} vs {tenK.MicrosPerCandle:F1} µs{(oneM.Cut ? F($" (over the first {oneM.Steps:N0})") : "")} | {(oneM.MicrosPerCandle <= 1.1 * tenK.MicrosPerCandle ? "yes" : "no")} |"));
            Line(F($"| CPU per candle at 1M at most 10 % above 10k's | {Cpu(oneM):F1} vs {Cpu(tenK):F1} µs | {(Cpu(oneM) <= 1.1 * Cpu(tenK) ? "yes" : "no")} |"));
        }
        if (kernelForward is not null) Line(F($"| forward < 2 µs (median, {kernelForward.What}) | {Ns(kernelForward.MedianNs)} (p99 {Ns(kernelForward.P99Ns)}) | {(kernelForward.MedianNs < 2_000 ? "yes" : "no")} |"));
        foreach (var (n, x) in scaling.Where(s => s.N > 1)) Line(F($"| {n} sessions scale with cores ({Environment.ProcessorCount} cores) | {x:F2}× one session | {(x >= 0.8 * Math.Min(n, Environment.ProcessorCount) ? "yes" : "no")} |"));
        Line(F($"| close → order p50 ≤ 0.5 ms of our own time | {c.OwnP50Ms:F3} ms (p99 {c.OwnP99Ms:F2} ms) | {(c.OwnP50Ms <= 0.5 ? "yes" : "no")} |"));
        Line();
        Line(F($"Report took {started.Elapsed.TotalSeconds:F0} s."));

        var path = Path.Combine(outDir, $"report-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}.md");
        File.WriteAllText(path, md.ToString());
        Console.WriteLine();
        Console.WriteLine($"Written to {path}");
        return 0;
    }

    private static double Cpu(ReplayRun r) => r.TotalCpuSeconds * 1e6 / r.Steps;

    private static double CpuPerWall(ReplayRun r) => r.TotalCpuSeconds / r.RunSeconds;

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
