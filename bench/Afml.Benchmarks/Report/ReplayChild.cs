using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Afml.Core.Session;

namespace Afml.Benchmarks.Report;

/// <summary>What one child process measured: N replay sessions run concurrently in it.</summary>
internal sealed record ReplayRun(int Sessions, long Steps, double LoadSeconds, double RunSeconds, double StartupSeconds,
    double PeakRssMiB, double UserSeconds, double SystemSeconds, bool Cut, string Actor, string StopReasons = "")
{
    public double CandlesPerSecond => Steps / RunSeconds;
    public double MicrosPerCandle => RunSeconds * 1e6 / Steps;
}

/// <summary>
/// The child-process side of the replay measurements (<c>Afml.Benchmarks replay-child …</c>): each session is a
/// whole replay session as <c>Start-AfmlSession -Replay -Quiet</c> runs it (SessionFactory + TradingSession, its
/// events drained and dropped), so process start, loading and the run are timed apart and the peak RSS is this
/// run's alone.
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

        var load = Stopwatch.StartNew();
        var built = pairs.Select(p => new SessionFactory(time).Create(new SessionOptions
        {
            TrainId = Paths.DemoTrainId,
            TrainingRoot = p[0],
            ReplayPath = p[1],
            MaxSteps = steps,
        })).ToArray();
        load.Stop();
        var actor = built[0].Training.Actor?.Engine ?? "onnxruntime";

        var cpu0 = Process.GetCurrentProcess();
        var (user0, sys0) = (cpu0.UserProcessorTime, cpu0.PrivilegedProcessorTime);
        using var cts = new CancellationTokenSource(budget);
        var run = Stopwatch.StartNew();
        var summaries = await Task.WhenAll(built.Select(b => Task.Run(async () =>
        {
            var channel = Channel.CreateUnbounded<SessionEvent>(new UnboundedChannelOptions { SingleReader = true });
            var drain = Task.Run(async () => { await foreach (var _ in channel.Reader.ReadAllAsync()) { } });
            var summary = await new TradingSession(b.Parts, time, channel.Writer).RunAsync(cts.Token);
            channel.Writer.TryComplete();
            await drain;
            return summary;
        })));
        run.Stop();
        var cpu = Process.GetCurrentProcess();
        foreach (var b in built) await b.DisposeAsync();

        var result = new ReplayRun(built.Length, summaries.Sum(s => (long)s.Steps), load.Elapsed.TotalSeconds, run.Elapsed.TotalSeconds, startup,
            Stats.PeakRssMiB(), (cpu.UserProcessorTime - user0).TotalSeconds, (cpu.PrivilegedProcessorTime - sys0).TotalSeconds,
            summaries.Sum(s => (long)s.Steps) < (long)steps * built.Length, actor,
            string.Join("; ", summaries.Select(s => $"{s.StopReason}{(s.StopDetail is { } d ? ": " + d : "")}").Distinct()));
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>Runs one child and parses its result line.</summary>
    public static async Task<ReplayRun> RunAsync(IReadOnlyList<(string Root, string Csv)> sessions, int steps, TimeSpan budget)
    {
        var self = Environment.ProcessPath!;
        var dll = typeof(ReplayChild).Assembly.Location;
        var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("replay-child");
        psi.ArgumentList.Add(string.Join('|', sessions.Select(s => s.Root + ";" + s.Csv)));
        psi.ArgumentList.Add(steps.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add(budget.TotalSeconds.ToString(CultureInfo.InvariantCulture));
        psi.Environment["ORT_DISABLE_TELEMETRY"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        var line = (await stdout).Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (p.ExitCode != 0 || line is null)
            throw new InvalidOperationException($"replay child failed (exit {p.ExitCode}): {await stderr}{await stdout}");
        return JsonSerializer.Deserialize<ReplayRun>(line["RESULT ".Length..])!;
    }
}
