using BenchmarkDotNet.Running;

NativeTelemetry.Off();
BenchmarkSwitcher.FromAssembly(typeof(Afml.Benchmarks.DecisionPathBenchmarks).Assembly).Run(args);

internal static class NativeTelemetry
{
    public static void Off() => Afml.Core.Agent.NativeEnvironment.DisableOnnxRuntimeTelemetry();
}
