using System.Runtime.Intrinsics.X86;
using Afml.Core.Agent;
using Afml.Core.Agent.Kernel;
using Afml.Core.Agent.Sb3;
using Afml.Core.Configuration;

namespace Afml.Tests.Agent;

/// <summary>The hand-written actor kernel: read back from the ONNX OnnxRuntime runs, within 1e-6 of ORT on the
/// golden and synthetic observations, the same bits on both instruction paths, and ORT kept (with a warning)
/// whenever the kernel cannot run the graph or disagrees.</summary>
public sealed class ActorKernelTests : IDisposable
{
    private static readonly string FixtureOnnx = Path.Combine(TestData.FixtureTrainingDir, "modelos", "modelo.onnx");
    private static readonly string FixtureZip = Path.Combine(TestData.FixtureTrainingDir, "modelos", "modelo.zip");
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("afml-kernel-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void The_trainers_onnx_reads_back_as_the_zips_actor_bit_for_bit()
    {
        var fromOnnx = OnnxActorReader.TryRead(FixtureOnnx, out var reason);
        Assert.True(fromOnnx is not null, reason);
        var fromZip = Sb3ModelReader.Read(FixtureZip);
        Assert.Equal(["market", "portfolio"], fromOnnx.Inputs.Select(i => i.Name));
        Assert.Equal(483, fromOnnx.FeatureLength);
        Assert.Equal(ActorActivation.ReLU, fromOnnx.Activation);
        Assert.Equal(fromZip.Hidden.Count, fromOnnx.Hidden.Count);
        foreach (var (a, b) in fromOnnx.Hidden.Append(fromOnnx.Mu).Zip(fromZip.Hidden.Append(fromZip.Mu)))
        {
            Assert.Equal((b.Inputs, b.Outputs), (a.Inputs, a.Outputs));
            Assert.Equal(b.Weight, a.Weight);
            Assert.Equal(b.Bias, a.Bias);
        }
    }

    [Fact]
    public void Kernel_matches_onnxruntime_within_1e6_on_golden_and_synthetic_observations()
    {
        using var ort = OnnxPolicy.Load(FixtureOnnx);
        using var kernel = new KernelPolicy(new DenseActorKernel(OnnxActorReader.TryRead(FixtureOnnx, out _)!), ort.Shape);
        var golden = GoldenObservations.Load();
        double worstOrt = 0, worstTorch = 0;
        for (var k = 0; k < golden.Count; k++)
        {
            var a = kernel.Predict(golden.Market[k], golden.Portfolio[k]);
            worstOrt = Math.Max(worstOrt, Math.Abs(a - ort.Predict(golden.Market[k], golden.Portfolio[k])));
            worstTorch = Math.Max(worstTorch, Math.Abs(kernel.LastTanh - golden.ActionTanh[k]));
        }
        var (count, worstSynthetic, where) = ActorKernelGate.Compare(ort, kernel, folder: null);
        Assert.Equal(ActorKernelGate.SyntheticObservations, count);
        Assert.True(worstOrt <= 1e-6, $"golden: max |kernel − ORT| = {worstOrt:E3}");
        Assert.True(worstSynthetic <= 1e-6, $"synthetic: max |kernel − ORT| = {worstSynthetic:E3} at {where}");
        Assert.True(worstTorch <= 1e-5, $"golden: max |kernel − torch| = {worstTorch:E3}");
        Console.WriteLine($"kernel vs ORT: golden {worstOrt:E3}, synthetic {worstSynthetic:E3}; kernel vs torch {worstTorch:E3}");
    }

    [Fact]
    public void Avx2_and_vector128_paths_give_the_same_bits()
    {
        var net = OnnxActorReader.TryRead(FixtureOnnx, out _)!;
        var shape = new PolicyShape(30, 16, 3);
        var portable = new KernelPolicy(new DenseActorKernel(net, KernelPath.Vector128), shape);
        var best = new KernelPolicy(new DenseActorKernel(net), shape);
        if (Avx2.IsSupported && Fma.IsSupported) Assert.Equal(KernelPath.Avx2Fma, best.Path);
        foreach (var (m, p, _) in ActorKernelGate.Synthetic(shape, 300))
            Assert.Equal(portable.Predict(m, p), best.Predict(m, p));
    }

    [Theory]
    [InlineData("ReLU", new[] { 64, 64 })]
    [InlineData("Tanh", new[] { 64, 64 })]
    [InlineData("Sigmoid", new[] { 32 })]
    [InlineData("LeakyReLU", new[] { 72, 8, 20 })]
    [InlineData("ReLU", new int[0])]
    public void Kernel_runs_converted_sb3_actors_like_onnxruntime(string activation, int[] hidden)
    {
        var zip = new Sb3ZipBuilder { Activation = activation, Hidden = hidden }.Write(Path.Combine(_dir.FullName, $"{activation}{hidden.Length}.zip"));
        var onnx = ModelZipConverter.Convert(zip).OnnxPath;
        using var ort = OnnxPolicy.Load(onnx);
        var net = OnnxActorReader.TryRead(onnx, out var reason);
        Assert.True(net is not null, reason);
        Assert.Equal(activation, net.Activation.ToString());
        using var kernel = new KernelPolicy(new DenseActorKernel(net), ort.Shape);
        var (_, worst, where) = ActorKernelGate.Compare(ort, kernel, folder: null);
        Assert.True(worst <= 1e-6, $"{activation}: max |kernel − ORT| = {worst:E3} at {where}");
    }

    [Fact]
    public void A_graph_the_kernel_does_not_run_keeps_onnxruntime_with_a_warning()
    {
        var zip = new Sb3ZipBuilder { Activation = "GELU" }.Write(Path.Combine(_dir.FullName, "gelu.zip"));
        var onnx = ModelZipConverter.Convert(zip).OnnxPath;
        var ort = OnnxPolicy.Load(onnx);
        using var chosen = ActorKernelGate.Choose(ort, onnx, folder: null, out var verdict);
        Assert.Same(ort, chosen);
        Assert.False(verdict.UsesKernel);
        Assert.Contains("OnnxRuntime", verdict.Warning);
        Assert.Contains("Mul", verdict.Warning); // GELU is exported as Erf/Mul/Add: not a single activation node
    }

    [Fact]
    public void A_kernel_that_disagrees_by_more_than_1e6_keeps_onnxruntime_with_a_warning()
    {
        var ort = OnnxPolicy.Load(FixtureOnnx);
        using var chosen = ActorKernelGate.Choose(ort, FixtureOnnx, folder: null,
            (net, shape) => new OffBy(new KernelPolicy(new DenseActorKernel(net), shape), 2e-6f), out var verdict);
        Assert.Same(ort, chosen);
        Assert.False(verdict.UsesKernel);
        Assert.Contains("differs from OnnxRuntime", verdict.Warning);
        Assert.True(verdict.MaxDifference > 1e-6);
    }

    [Fact]
    public void A_kernel_within_tolerance_replaces_onnxruntime()
    {
        var ort = OnnxPolicy.Load(FixtureOnnx);
        using var chosen = ActorKernelGate.Choose(ort, FixtureOnnx, folder: null,
            (net, shape) => new OffBy(new KernelPolicy(new DenseActorKernel(net), shape), 0f), out var verdict);
        Assert.IsType<OffBy>(chosen);
        Assert.True(verdict.UsesKernel);
        Assert.Null(verdict.Warning);
    }

    [Fact]
    public void Loading_the_demo_training_checks_golden_and_synthetic_and_runs_the_kernel()
    {
        using var t = new TrainingCopy();
        using var loaded = TrainingLoader.Load(t.Root, t.TrainId);
        Assert.NotNull(loaded.Actor);
        Assert.True(loaded.Actor.UsesKernel, loaded.Actor.Warning);
        Assert.IsType<KernelPolicy>(loaded.Policy);
        Assert.Equal(GoldenObservations.Load().Count + ActorKernelGate.SyntheticObservations, loaded.Actor.Observations);
        Assert.InRange(loaded.Actor.MaxDifference, 0, 1e-6);
    }

    [Fact]
    public void Garbage_is_not_an_actor()
    {
        Assert.Null(OnnxActorReader.TryRead([0xFF, 0xFF, 0xFF], out var reason));
        Assert.NotEmpty(reason);
    }

    private sealed class OffBy(IPolicy inner, float delta) : IPolicy
    {
        public PolicyShape Shape => inner.Shape;
        public float Predict(ReadOnlySpan<float> market, ReadOnlySpan<float> portfolio) => inner.Predict(market, portfolio) + delta;
        public void Dispose() => inner.Dispose();
    }
}
