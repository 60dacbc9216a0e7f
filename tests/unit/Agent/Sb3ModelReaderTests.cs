using Afml.Core;
using Afml.Core.Agent;
using Afml.Core.Agent.Sb3;

namespace Afml.Tests.Agent;

/// <summary>Synthetic SB3 zips: every supported activation converts to an ONNX graph that OnnxRuntime runs to the
/// actor's reference output; every malformed zip is a specific error naming the file.</summary>
public sealed class Sb3ModelReaderTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("afml-sb3-");

    private string Zip(Sb3ZipBuilder b) => b.Write(Path.Combine(_dir.FullName, Guid.NewGuid().ToString("N") + ".zip"));

    [Theory]
    [InlineData("ReLU")]
    [InlineData("Tanh")]
    [InlineData("Sigmoid")]
    [InlineData("LeakyReLU")]
    [InlineData("ELU")]
    [InlineData("SELU")]
    [InlineData("SiLU")]
    [InlineData("GELU")]
    [InlineData("Softplus")]
    [InlineData("Mish")]
    public void Each_supported_activation_runs_under_onnxruntime_like_the_reference(string activation)
    {
        var zip = Zip(new Sb3ZipBuilder { Activation = activation });
        var net = Sb3ModelReader.Read(zip);
        Assert.Equal(activation, net.Activation.ToString());
        using var policy = OnnxPolicy.Load(ModelZipConverter.Convert(zip).OnnxPath);
        Assert.Equal(new PolicyShape(4, 3, 3), policy.Shape);
        var rng = new Random(1);
        for (var k = 0; k < 20; k++)
        {
            var m = Enumerable.Range(0, 12).Select(_ => (float)(rng.NextDouble() * 6 - 3)).ToArray();
            var p = Enumerable.Range(0, 3).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            policy.Predict(m, p);
            var expected = ActorReference.Forward(net, m, p)[0];
            Assert.True(Math.Abs(policy.LastTanh - expected) <= 1e-5, $"{activation}: {policy.LastTanh} vs {expected}");
        }
    }

    [Fact]
    public void No_hidden_layers_is_mu_on_the_features()
    {
        var zip = Zip(new Sb3ZipBuilder { Hidden = [] });
        using var policy = OnnxPolicy.Load(ModelZipConverter.Convert(zip).OnnxPath);
        var net = Sb3ModelReader.Read(zip);
        var m = Enumerable.Range(0, 12).Select(i => i / 10f).ToArray();
        float[] p = [1f, 0f, -1f];
        policy.Predict(m, p);
        Assert.True(Math.Abs(policy.LastTanh - ActorReference.Forward(net, m, p)[0]) <= 1e-6);
    }

    [Fact]
    public void Unsupported_activation_is_refused_by_name()
    {
        var ex = Assert.Throws<AfmlException>(() => Sb3ModelReader.Read(Zip(new Sb3ZipBuilder { Activation = "Hardswish" })));
        Assert.Equal("ModelActivationUnsupported", ex.ErrorId);
        Assert.Contains("torch.nn.modules.activation.Hardswish", ex.Message);
        Assert.Contains(".zip", ex.Message);
    }

    [Fact]
    public void An_activation_from_outside_torch_is_refused_not_imported()
    {
        var ex = Assert.Throws<AfmlException>(() => Sb3ModelReader.Read(Zip(new Sb3ZipBuilder { ActivationModule = "os", Activation = "system" })));
        Assert.Equal("ModelActivationUnsupported", ex.ErrorId);
        Assert.Contains("os.system", ex.Message);
    }

    [Fact]
    public void A_wrong_shaped_weight_is_a_shape_error_naming_the_tensor_and_the_file()
    {
        var zip = Zip(new Sb3ZipBuilder { WeightShape = ("actor.latent_pi.0.weight", 5, 16) }); // 8×15 stored, declared 5×16 (fits in the storage)
        var ex = Assert.Throws<AfmlException>(() => Sb3ModelReader.Read(zip));
        Assert.Equal("ModelTensorShapeMismatch", ex.ErrorId);
        Assert.Contains("actor.latent_pi.0.weight", ex.Message);
        Assert.Contains("[5, 16]", ex.Message);
        Assert.Contains(zip + ":policy.pth", ex.Message);
    }

    [Fact]
    public void A_layer_that_disagrees_with_net_arch_is_a_shape_error()
    {
        var zip = Zip(new Sb3ZipBuilder { WeightShape = ("actor.latent_pi.2.weight", 4, 8) });
        var ex = Assert.Throws<AfmlException>(() => Sb3ModelReader.Read(zip));
        Assert.Equal("ModelTensorShapeMismatch", ex.ErrorId);
        Assert.Contains("actor.latent_pi.2.weight", ex.Message);
    }

    [Fact]
    public void A_data_pkl_naming_an_unexpected_callable_is_refused()
    {
        var zip = Zip(new Sb3ZipBuilder { RebuildGlobal = ("builtins", "eval") });
        var ex = Assert.Throws<AfmlException>(() => Sb3ModelReader.Read(zip));
        Assert.Equal("PickleGlobalNotAllowed", ex.ErrorId);
        Assert.Contains("builtins.eval", ex.Message);
        Assert.Contains(zip, ex.Message);
    }

    [Fact]
    public void A_zip_without_policy_pth_is_invalid()
    {
        var zip = Path.Combine(_dir.FullName, "empty.zip");
        using (var z = new System.IO.Compression.ZipArchive(File.Create(zip), System.IO.Compression.ZipArchiveMode.Create))
            using (var s = z.CreateEntry("data").Open()) s.Write("{}"u8);
        var ex = Assert.Throws<AfmlException>(() => Sb3ModelReader.Read(zip));
        Assert.Equal("ModelZipInvalid", ex.ErrorId);
        Assert.Contains("policy.pth", ex.Message);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
