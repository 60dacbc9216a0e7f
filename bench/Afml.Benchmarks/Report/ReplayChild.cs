using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Runtime.CompilerServices;
using Afml.Core.Agent.Kernel;
using Afml.Core.MarketData;
using Afml.Core.Session;

namespace Afml.Benchmarks.Report;

/// <summary>What one child process measured: N replay sessions run concurrently in it.</summary>
internal sealed record ReplayRun(int Sessions, long Steps, double LoadSeconds, double RunSeconds, double StartupSeconds,
    double PeakRssMiB, double UserSeconds, double SystemSeconds, bool Cut, string Actor, string StopReasons = "",
    double AllocatedBytesPerStep = double.NaN, int Gen0 = 0, int Gen1 = 0, int Gen2 = 0,
    long JitMethods = 0, double JitSeconds = 0, double FirstDecisionSeconds = double.NaN, string Threads = "", double CpuSeconds = double.NaN)
{
    /// <summary>The process's CPU time over the run, all threads: the scheduler's own count in nanoseconds when the OS
    /// gives it (user and sys above come in 10 ms ticks, too coarse for a 0.1 s run), else user + sys.</summary>
    public double TotalCpuSeconds => double.IsNaN(CpuSeconds) ? UserSeconds + SystemSeconds : CpuSeconds;

    public double CandlesPerSecond => Steps / RunSeconds;
    public double MicrosPerCandle => RunSeconds * 1e6 / Steps;
}

/// <summary>
/// The child-process side of the replay measurements (<c>Afml.Benchmarks replay-child …</c>): each session is a
/// whole replay session as <c>Start-AfmlSession -Replay -Quiet</c> runs it (a <see cref="SessionHost"/>: build, run
/// with its status writer, statistics and console observers, final status, dispose; its events drained and
/// dropped), so process start, loading and the run are timed apart and the peak RSS is this run's alone. The run
/// includes the host's end of session (statistics, final status, disposing the parts).
/// </summary>
internal static class ReplayChild
{
    /// <summary>args: root;csv pairs separated by '|', steps per session, budget seconds.</summary>
    public static async Task<int> MainAsync(string[] args)
    {
        var startup = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds;
        var pairs = args[0].Split('|').Select(p => p.Split(';')).ToArray();
        var steps = int.Parse(args[1], CultureInfo.InvariantCulture);
        var budget = TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture));
        var time = TimeProvider.System;

        // Each session runs in a SessionHost as the cmdlet runs it with -Quiet; the host builds on Start and runs at
        // once, so the replay feed is held at its first read (Adjust, the host's test seam) until all are built:
        // load and run are timed apart as before.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new FirstDecision();
        var hostOptions = new SessionHostOptions
        {
            Time = time,
            LogLevel = SessionLogLevel.Warning,
            StepEvents = SessionStepEvents.Progress, // as the cmdlet without -PassThru
            Adjust = parts => parts with { Feed = new GatedFeed(parts.Feed, gate.Task, first) },
        };
        var load = Stopwatch.StartNew();
        var hosts = new List<SessionHost>();
        try
        {
            foreach (var p in pairs)
            {
                hosts.Add(SessionHost.Start(new SessionOptions
                {
                    TrainId = Paths.DemoTrainId,
                    TrainingRoot = p[0],
                    ReplayPath = p[1],
                    MaxSteps = steps,
                }, hostOptions));
            }
        }
        catch
        {
            gate.TrySetResult();
            foreach (var h in hosts) await h.DisposeAsync();
            throw;
        }
        load.Stop();
        var actor = hosts[0].Parts.Policy is KernelPolicy k ? $"kernel {k.Path}" : "onnxruntime";
        // Events drained and dropped, as a -Quiet pipeline would.
        var drains = hosts.Select(h => Task.Run(async () => { await foreach (var _ in h.Events.ReadAllAsync()) { } })).ToArray();

        using var sampler = Environment.GetEnvironmentVariable("AFML_BENCH_ALLOCS") == "1" ? new AllocationSampler() : null;
        using var jitLog = Environment.GetEnvironmentVariable("AFML_BENCH_JITLOG") == "1" ? new JitLog() : null;
        var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
        var (g0, g1, g2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var (jit0, jitTime0) = (System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
        var cpu0 = Process.GetCurrentProcess();
        var (user0, sys0) = (cpu0.UserProcessorTime, cpu0.PrivilegedProcessorTime);
        using var cts = new CancellationTokenSource(budget);
        using var cut = cts.Token.Register(() => { foreach (var h in hosts) h.Stop(SessionStopReason.Cancelled, "time budget"); });
        var threads0 = ThreadCpu.Read();
        var clock0 = ProcessCpuClock.Seconds(); // read right around the run: ThreadCpu's /proc reads above stay out
        var run = Stopwatch.StartNew();
        first.Clock = run;
        gate.SetResult();
        var summaries = await Task.WhenAll(hosts.Select(h => h.Completion));
        run.Stop();
        var clock = ProcessCpuClock.Seconds() - clock0;
        var (jit, jitTime) = (System.Runtime.JitInfo.GetCompiledMethodCount() - jit0, System.Runtime.JitInfo.GetCompilationTime() - jitTime0);
        var cpu = Process.GetCurrentProcess();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - alloc0;
        var (c0, c1, c2) = (GC.CollectionCount(0) - g0, GC.CollectionCount(1) - g1, GC.CollectionCount(2) - g2);
        var threads = ThreadCpu.Busiest(threads0, ThreadCpu.Read()); // after the counts above: its LINQ is JIT-compiled here
        await Task.WhenAll(drains);
        foreach (var h in hosts) await h.DisposeAsync();

        var result = new ReplayRun(hosts.Count, summaries.Sum(s => (long)s.Steps), load.Elapsed.TotalSeconds, run.Elapsed.TotalSeconds, startup,
            Stats.PeakRssMiB(), (cpu.UserProcessorTime - user0).TotalSeconds, (cpu.PrivilegedProcessorTime - sys0).TotalSeconds,
            summaries.Sum(s => (long)s.Steps) < (long)steps * hosts.Count, actor,
            string.Join("; ", summaries.Select(s => $"{s.StopReason}{(s.StopDetail is { } d ? ": " + d : "")}").Distinct()),
            allocated / (double)Math.Max(1, summaries.Sum(s => (long)s.Steps)), c0, c1, c2, jit, jitTime.TotalSeconds, first.Seconds, threads, clock);
        sampler?.Print(result.Steps);
        jitLog?.Print();
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>Runs one child and parses its result line.</summary>
    /// <param name="environment">Variables for the child only (a runtime knob such as DOTNET_TieredPGO).</param>
    /// <param name="oneCore">The child confined to one CPU from its start (<c>taskset -c</c>): the runtime then sees one
    /// processor, and the JIT's background work shares the session's core instead of using another.</param>
    public static async Task<ReplayRun> RunAsync(IReadOnlyList<(string Root, string Csv)> sessions, int steps, TimeSpan budget,
        IReadOnlyDictionary<string, string>? environment = null, bool oneCore = false)
    {
        var self = Environment.ProcessPath!;
        var dll = typeof(ReplayChild).Assembly.Location;
        var psi = new ProcessStartInfo(oneCore ? OneCore.Taskset! : self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (oneCore)
        {
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(OneCore.Cpu.ToString(CultureInfo.InvariantCulture));
            psi.ArgumentList.Add(self);
        }
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("replay-child");
        psi.ArgumentList.Add(string.Join('|', sessions.Select(s => s.Root + ";" + s.Csv)));
        psi.ArgumentList.Add(steps.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add(budget.TotalSeconds.ToString(CultureInfo.InvariantCulture));
        psi.Environment["ORT_DISABLE_TELEMETRY"] = "1";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        var line = (await stdout).Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (p.ExitCode != 0 || line is null)
            throw new InvalidOperationException($"replay child failed (exit {p.ExitCode}): {await stderr}{await stdout}");
        if (Environment.GetEnvironmentVariable("AFML_BENCH_JITLOG") == "1" || Environment.GetEnvironmentVariable("AFML_BENCH_ALLOCS") == "1")
            Console.Error.Write(await stderr); // the child's diagnostics
        return JsonSerializer.Deserialize<ReplayRun>(line["RESULT ".Length..])!;
    }
}

/// <summary>CLOCK_PROCESS_CPUTIME_ID: the CPU time of every thread of the process, in nanoseconds (Linux); NaN elsewhere.</summary>
internal static partial class ProcessCpuClock
{
    private struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec value);

    public static double Seconds()
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        try { return ClockGetTime(2, out var t) == 0 ? t.Seconds + t.Nanoseconds / 1e9 : double.NaN; }
        catch (DllNotFoundException) { return double.NaN; }
        catch (EntryPointNotFoundException) { return double.NaN; }
    }
}

/// <summary>How a child is confined to one core: util-linux's taskset, on the machine's last CPU.</summary>
internal static class OneCore
{
    public static string? Taskset { get; } = OperatingSystem.IsLinux()
        ? new[] { "/usr/bin/taskset", "/bin/taskset" }.FirstOrDefault(File.Exists)
        : null;

    public static int Cpu => Environment.ProcessorCount - 1;

    public static bool Available => Taskset is not null;
}

/// <summary>When the first decision candle left a feed (of any session), from the run's start.</summary>
internal sealed class FirstDecision
{
    private long _ticks = -1;
    public Stopwatch? Clock { get; set; }
    public void Mark()
    {
        if (Clock is { } c) Interlocked.CompareExchange(ref _ticks, c.ElapsedTicks, -1);
    }
    public double Seconds => _ticks < 0 ? double.NaN : _ticks / (double)Stopwatch.Frequency;
}

/// <summary>CPU time per thread of this process, from /proc/self/task (Linux): which threads were busy during a run.</summary>
internal static class ThreadCpu
{
    public static Dictionary<string, (string Name, double Seconds)> Read()
    {
        var result = new Dictionary<string, (string, double)>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var open = stat.IndexOf('(');
                    var close = stat.LastIndexOf(')');
                    var fields = stat[(close + 2)..].Split(' ');
                    var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                    result[Path.GetFileName(dir)] = (stat[(open + 1)..close], ticks / 100.0); // USER_HZ: 100 on Linux
                }
                catch (IOException) { } // the thread ended
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return result;
    }

    /// <summary>The threads that used CPU between two reads, busiest first: "name 1.23 s · …".</summary>
    public static string Busiest(Dictionary<string, (string Name, double Seconds)> before, Dictionary<string, (string Name, double Seconds)> after) =>
        string.Join(" · ", after
            .Select(kv => (kv.Value.Name, Seconds: kv.Value.Seconds - (before.TryGetValue(kv.Key, out var b) ? b.Seconds : 0)))
            .Where(t => t.Seconds >= 0.01)
            .OrderByDescending(t => t.Seconds)
            .Take(4)
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Name.Trim()} {t.Seconds:F2} s")));
}

/// <summary>A replay feed whose first read waits for the gate: every session in the child is built before any runs.</summary>
internal sealed class GatedFeed(IMarketFeed inner, Task gate, FirstDecision first) : IMarketFeed
{
    public async Task<IReadOnlyList<Candle>> LoadHistoryAsync(CancellationToken ct)
    {
        await gate.WaitAsync(ct).ConfigureAwait(false);
        return await inner.LoadHistoryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The inner stream itself, behind a thin enumerator that marks the first candle (no second async
    /// iterator per candle: the gate has opened by then, at the history's read).</summary>
    public IAsyncEnumerable<Candle> StreamClosedCandlesAsync(CancellationToken ct) => new Marked(inner.StreamClosedCandlesAsync(ct), gate, first);

    private sealed class Marked(IAsyncEnumerable<Candle> inner, Task gate, FirstDecision first) : IAsyncEnumerable<Candle>
    {
        public IAsyncEnumerator<Candle> GetAsyncEnumerator(CancellationToken ct = default)
        {
            if (!gate.IsCompleted) throw new InvalidOperationException("the stream was asked for before the history");
            return new Enumerator(inner.GetAsyncEnumerator(ct), first);
        }
    }

    private sealed class Enumerator(IAsyncEnumerator<Candle> inner, FirstDecision first) : IAsyncEnumerator<Candle>
    {
        private bool _marked;
        public Candle Current => inner.Current;
        public ValueTask<bool> MoveNextAsync()
        {
            if (!_marked)
            {
                _marked = true;
                first.Mark();
            }
            return inner.MoveNextAsync();
        }
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

/// <summary>AFML_BENCH_ALLOCS=1: the runtime's allocation samples (one per ~100 KB allocated) by type, printed to
/// stderr at the end of a replay child: where a step's bytes go.</summary>
internal sealed class AllocationSampler : System.Diagnostics.Tracing.EventListener
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _bytes = new();

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1); // GC
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName != "GCAllocationTick_V4" || e.Payload is null) return;
        var name = e.PayloadNames!.IndexOf("TypeName") is var i and >= 0 ? e.Payload[i] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var j and >= 0 ? Convert.ToInt64(e.Payload[j], CultureInfo.InvariantCulture) : 100_000;
        _bytes.AddOrUpdate(name, amount, (_, v) => v + amount);
    }

    public void Print(long steps)
    {
        foreach (var (name, bytes) in _bytes.OrderByDescending(kv => kv.Value).Take(25))
            Console.Error.WriteLine(F($"{bytes / (double)steps,8:F1} B/step  {name}"));
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>AFML_BENCH_JITLOG=1: every method the JIT finishes during a replay child (time since the run's start,
/// optimization tier from MethodFlags, name), printed to stderr: what warms up when.</summary>
internal sealed class JitLog : System.Diagnostics.Tracing.EventListener
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(double Ms, int Tier, string Name)> _methods = new();
    private readonly DateTime _start = DateTime.UtcNow;

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)(0x10 | 0x2000000000)); // JIT, R2R entry points
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName is null || e.Payload is null) return;
        string P(string n) => e.PayloadNames!.IndexOf(n) is var i and >= 0 ? Convert.ToString(e.Payload[i], CultureInfo.InvariantCulture) ?? "" : "";
        if (e.EventName == "R2RGetEntryPoint") // not its ...Start twin, which names no method
        {
            _methods.Enqueue(((e.TimeStamp.ToUniversalTime() - _start).TotalMilliseconds, 9, P("MethodNamespace") + "::" + P("MethodName")));
            return;
        }
        if (!e.EventName.StartsWith("MethodLoadVerbose", StringComparison.Ordinal)) return;
        var flags = long.Parse(P("MethodFlags"), CultureInfo.InvariantCulture);
        _methods.Enqueue(((e.TimeStamp.ToUniversalTime() - _start).TotalMilliseconds, (int)((flags >> 7) & 0x7), P("MethodNamespace") + "::" + P("MethodName")));
    }

    public void Print()
    {
        foreach (var (ms, tier, name) in _methods)
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ms,9:F1} ms tier {tier} {name}"));
    }
}
