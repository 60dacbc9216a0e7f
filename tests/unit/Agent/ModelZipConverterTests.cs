using Afml.Core;
using Afml.Core.Agent;
using Afml.Core.Agent.Sb3;
using Xunit.Abstractions;

namespace Afml.Tests.Agent;

/// <summary>modelo.zip converted without Python gives the trainer's deterministic actions; the cache follows the zip.</summary>
public sealed class ModelZipConverterTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("afml-zip-");

    private static string FixtureZip => Path.Combine(TestData.FixtureTrainingDir, "modelos", "modelo.zip");

    private string CopyZip()
    {
        var path = Path.Combine(_dir.FullName, "modelo.zip");
        File.Copy(FixtureZip, path, overwrite: true);
        return path;
    }

    [Fact]
    public void Converted_fixture_zip_gives_the_golden_actions()
    {
        var conversion = ModelZipConverter.Convert(CopyZip());
        Assert.True(conversion.Rebuilt);
        Assert.Equal(Path.Combine(_dir.FullName, "modelo.zip.onnx"), conversion.OnnxPath);
        using var converted = OnnxPolicy.Load(conversion.OnnxPath);
        using var exported = OnnxPolicy.Load(Path.Combine(TestData.FixtureTrainingDir, "modelos", "modelo.onnx"));
        Assert.Equal(new PolicyShape(30, 16, 3), converted.Shape);

        var golden = GoldenObservations.Load();
        double maxTanh = 0, maxVsExport = 0;
        for (var k = 0; k < golden.Count; k++)
        {
            converted.Predict(golden.Market[k], golden.Portfolio[k]);
            exported.Predict(golden.Market[k], golden.Portfolio[k]);
            maxTanh = Math.Max(maxTanh, Math.Abs(converted.LastTanh - golden.ActionTanh[k]));
            maxVsExport = Math.Max(maxVsExport, Math.Abs(converted.LastTanh - exported.LastTanh));
        }
        output.WriteLine($"max |Δ tanh| vs trace: {maxTanh:E3}; vs the trainer's modelo.onnx under ORT: {maxVsExport:E3}");
        Assert.True(maxTanh <= 1e-5, $"max |Δ tanh| = {maxTanh:E3}");
        Assert.Equal(0, maxVsExport); // same graph and weights as the trainer's own export
    }

    [Fact]
    public void Converted_model_records_its_source()
    {
        var conversion = ModelZipConverter.Convert(CopyZip());
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(conversion.OnnxPath);
        var meta = session.ModelMetadata;
        Assert.Equal("afml", meta.ProducerName);
        Assert.Equal(conversion.Sha256, meta.CustomMetadataMap["afml.source_sha256"]);
        Assert.Equal("modelo.zip", meta.CustomMetadataMap["afml.source"]);
    }

    [Fact]
    public void Actor_read_from_the_zip_has_the_exports_layers()
    {
        var net = Sb3ModelReader.Read(FixtureZip);
        Assert.Equal(["market", "portfolio"], net.Inputs.Select(i => i.Name));
        Assert.Equal([30, 16], net.Inputs[0].Shape);
        Assert.Equal([3], net.Inputs[1].Shape);
        Assert.Equal([64, 64], net.Hidden.Select(h => h.Outputs));
        Assert.Equal(483, net.Hidden[0].Inputs);
        Assert.Equal(ActorActivation.ReLU, net.Activation);
        Assert.Equal(1, net.Mu.Outputs);
    }

    [Fact]
    public void Cache_is_reused_until_the_zip_changes_or_force()
    {
        var zip = CopyZip();
        Assert.True(ModelZipConverter.Convert(zip).Rebuilt);
        Assert.False(ModelZipConverter.Convert(zip).Rebuilt);
        Assert.True(ModelZipConverter.Convert(zip, force: true).Rebuilt);
        File.WriteAllText(ModelZipConverter.FingerprintPath(zip), "sha256=0000 converter=1");
        Assert.True(ModelZipConverter.Convert(zip).Rebuilt);
        Assert.StartsWith("sha256=" + ModelZipConverter.Convert(zip).Sha256, File.ReadAllText(ModelZipConverter.FingerprintPath(zip)));
        Assert.Empty(Directory.EnumerateFiles(_dir.FullName, "*.tmp"));
    }

    [Fact]
    public void Truncated_zip_is_a_clear_error_naming_the_file()
    {
        var zip = Path.Combine(_dir.FullName, "modelo.zip");
        var bytes = File.ReadAllBytes(FixtureZip);
        foreach (var cut in new[] { 0, 100, bytes.Length / 2, bytes.Length - 30 })
        {
            File.WriteAllBytes(zip, bytes[..cut]);
            var ex = Assert.Throws<AfmlException>(() => ModelZipConverter.Convert(zip));
            Assert.Equal("ModelZipInvalid", ex.ErrorId);
            Assert.Contains(zip, ex.Message);
        }
    }

    [Fact]
    public void A_flipped_byte_in_the_weights_fails_the_crc_instead_of_loading_a_wrong_model()
    {
        var zip = Path.Combine(_dir.FullName, "modelo.zip");
        var bytes = File.ReadAllBytes(FixtureZip);
        // a byte inside policy.pth's first storage (stored, uncompressed): the local header of 'data' precedes it
        var at = IndexOf(bytes, "archive/data/0"u8.ToArray()) + 200;
        bytes[at] ^= 0x40;
        File.WriteAllBytes(zip, bytes);
        var ex = Assert.Throws<AfmlException>(() => ModelZipConverter.Convert(zip));
        Assert.Equal("ModelZipInvalid", ex.ErrorId);
        Assert.Contains("CRC", ex.Message);
        Assert.Contains(zip, ex.Message);
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        throw new InvalidOperationException("not found");
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
