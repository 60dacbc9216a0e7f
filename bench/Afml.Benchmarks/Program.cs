using Afml.Benchmarks.Report;
using BenchmarkDotNet.Running;

// report       : the issue-12 report build.ps1 Bench prints and writes under out/bench (custom harnesses + child processes)
// replay-child : one replay measurement, run by the report in a child process so peak RSS is that run's alone
// anything else: BenchmarkDotNet over the decision path (e.g. --filter '*')
NativeTelemetry.Off();
return args.FirstOrDefault() switch
{
    "report" => await BenchReport.MainAsync(args[1..]),
    "replay-child" => await ReplayChild.MainAsync(args[1..]),
    "close-to-order" => await CloseToOrder.MainAsync(args[1..]),
    _ => RunBenchmarkDotNet(args),
};

static int RunBenchmarkDotNet(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Afml.Benchmarks.DecisionPathBenchmarks).Assembly).Run(args);
    return 0;
}

internal static class NativeTelemetry
{
    public static void Off() => Afml.Core.Agent.NativeEnvironment.DisableOnnxRuntimeTelemetry();
}
