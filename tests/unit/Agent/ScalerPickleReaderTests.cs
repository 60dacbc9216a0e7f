using Afml.Core;
using Afml.Core.Agent;

namespace Afml.Tests.Agent;

/// <summary>scaler_train.pkl read without Python equals scaler_train.json to the last bit; plain pickles of any
/// protocol read the same; a pickle that names anything off the allow-list is refused, never run.</summary>
public class ScalerPickleReaderTests
{
    internal static string Pickle(string name) => Path.Combine(AppContext.BaseDirectory, "Agent", "Pickles", name);

    [Fact]
    public void Joblib_scaler_equals_the_json_bit_for_bit()
    {
        var pkl = ScalerPickleReader.Read(Path.Combine(TestData.FixtureTrainingDir, "scaler_train.pkl"));
        var json = ScalerJsonReader.Read(Path.Combine(TestData.FixtureTrainingDir, "scaler_train.json"));
        Assert.Equal(json.FeatureNames, pkl.FeatureNames);
        AssertBits(json.Mean, pkl.Mean);
        AssertBits(json.Scale, pkl.Scale);
        AssertBits(json.Var!, pkl.Var!);
        Assert.Equal(17322, pkl.NSamplesSeen);
        Assert.Equal(json.NSamplesSeen, pkl.NSamplesSeen);
    }

    [Theory]
    [InlineData("plain_scaler_p0.pkl")]
    [InlineData("plain_scaler_p2.pkl")]
    [InlineData("plain_scaler_p4.pkl")]
    [InlineData("plain_scaler_p5.pkl")]
    [InlineData("plain_scaler_bigendian.pkl")]
    public void Plain_pickle_scaler_reads_the_same(string file)
    {
        var s = ScalerPickleReader.Read(Pickle(file));
        Assert.Equal(["a", "b", "c"], s.FeatureNames);
        AssertBits([1.5, -2.25, 1e-300], s.Mean);
        AssertBits([2.0, 0.5, 3.0], s.Scale);
        AssertBits([4.0, 0.25, 9.0], s.Var!);
        Assert.Equal(1234, s.NSamplesSeen);
    }

    [Fact]
    public void A_pickle_that_calls_os_system_is_refused_naming_the_file_and_the_global()
    {
        var ex = Assert.Throws<AfmlException>(() => ScalerPickleReader.Read(Pickle("evil_scaler.pkl")));
        Assert.Equal("PickleGlobalNotAllowed", ex.ErrorId);
        Assert.Contains("evil_scaler.pkl", ex.Message);
        Assert.Contains("posix.system", ex.Message);
    }

    [Fact]
    public void Another_scaler_class_is_refused()
    {
        var ex = Assert.Throws<AfmlException>(() => ScalerPickleReader.Read(Pickle("minmax_scaler.pkl")));
        Assert.Equal("PickleGlobalNotAllowed", ex.ErrorId);
        Assert.Contains("MinMaxScaler", ex.Message);
    }

    [Fact]
    public void A_truncated_pickle_is_invalid_not_a_crash()
    {
        var bytes = File.ReadAllBytes(Path.Combine(TestData.FixtureTrainingDir, "scaler_train.pkl"));
        var dir = Directory.CreateTempSubdirectory("afml-pkl-");
        try
        {
            foreach (var cut in new[] { 1, 40, 300, 700, 1000, bytes.Length - 1 })
            {
                var path = Path.Combine(dir.FullName, $"cut{cut}.pkl");
                File.WriteAllBytes(path, bytes[..cut]);
                var ex = Assert.Throws<AfmlException>(() => ScalerPickleReader.Read(path));
                Assert.True(ex.ErrorId is "PickleInvalid" or "ScalerInvalid", ex.ErrorId + ": " + ex.Message);
                Assert.Contains(path, ex.Message);
            }
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void A_compressed_joblib_file_is_refused_with_a_reason()
    {
        var path = Path.Combine(Path.GetTempPath(), $"afml-{Guid.NewGuid():N}.pkl");
        try
        {
            using (var f = File.Create(path))
            using (var z = new System.IO.Compression.ZLibStream(f, System.IO.Compression.CompressionLevel.Optimal))
                z.Write(File.ReadAllBytes(Path.Combine(TestData.FixtureTrainingDir, "scaler_train.pkl")));
            var ex = Assert.Throws<AfmlException>(() => ScalerPickleReader.Read(path));
            Assert.Equal("ScalerInvalid", ex.ErrorId);
            Assert.Contains("compressed", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    internal static void AssertBits(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]), $"[{i}] {expected[i]:R} vs {actual[i]:R}");
    }
}
