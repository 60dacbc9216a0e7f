using Afml.Core;
using Afml.Core.Agent;
using Afml.Core.Agent.Sb3;

namespace Afml.Tests.Agent;

/// <summary>Damaged trainer files are AfmlExceptions, never another exception type (seeded random byte flips and cuts).</summary>
public sealed class TrainerFileFuzzTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("afml-fuzz-");

    [Fact]
    public void Mutated_scaler_pickles_fail_cleanly()
    {
        var original = File.ReadAllBytes(Path.Combine(TestData.FixtureTrainingDir, "scaler_train.pkl"));
        var path = Path.Combine(_dir.FullName, "scaler_train.pkl");
        var rng = new Random(12345);
        for (var n = 0; n < 3000; n++)
        {
            var bytes = Mutate(original, rng);
            File.WriteAllBytes(path, bytes);
            try
            {
                ScalerPickleReader.Read(path);
            }
            catch (AfmlException ex)
            {
                Assert.Contains(path, ex.Message);
            }
        }
    }

    [Fact]
    public void Mutated_model_zips_fail_cleanly()
    {
        var original = File.ReadAllBytes(Path.Combine(TestData.FixtureTrainingDir, "modelos", "modelo.zip"));
        var path = Path.Combine(_dir.FullName, "modelo.zip");
        var rng = new Random(54321);
        for (var n = 0; n < 150; n++)
        {
            var bytes = Mutate(original, rng);
            try
            {
                Sb3ModelReader.Read(bytes, path);
            }
            catch (AfmlException ex)
            {
                Assert.Contains(path, ex.Message);
            }
        }
    }

    private static byte[] Mutate(byte[] original, Random rng)
    {
        var bytes = (byte[])original.Clone();
        switch (rng.Next(3))
        {
            case 0:
                for (var k = rng.Next(1, 4); k > 0; k--) bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
                return bytes;
            case 1:
                return bytes[..rng.Next(bytes.Length)];
            default:
                // flips in the first kB hit pickle opcodes and zip headers rather than float payloads
                for (var k = rng.Next(1, 3); k > 0; k--) bytes[rng.Next(Math.Min(1024, bytes.Length))] ^= (byte)(1 << rng.Next(8));
                return bytes;
        }
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
