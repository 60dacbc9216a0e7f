using System.Buffers.Binary;
using System.Text.Json;
using Afml.Core;
using Afml.Core.Agent.Pickle;

namespace Afml.Tests.Agent;

/// <summary>The reader on real numpy output (SB3's cloudpickled _last_obs: protocol 5, numpy._frombuffer over a
/// bytearray) and its refusal rules.</summary>
public class PickleReaderTests
{
    [Fact]
    public void Reads_numpy_frombuffer_arrays_from_the_models_data()
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(Path.Combine(TestData.FixtureTrainingDir, "modelos", "modelo.zip"));
        using var data = JsonDocument.Parse(zip.GetEntry("data")!.Open());
        var b64 = data.RootElement.GetProperty("_last_obs").GetProperty(":serialized:").GetString()!;
        var allow = PickleAllowList.Empty.WithNumpy().WithFunction("collections.OrderedDict", _ => new Dictionary<object, object?>());
        var obs = Assert.IsType<Dictionary<object, object?>>(new PickleReader(Convert.FromBase64String(b64), 0, "_last_obs", allow).Load());
        var market = Assert.IsType<NdArray>(obs["market"]);
        Assert.Equal([1, 30, 16], market.Shape);
        Assert.Equal("<f4", market.DType!.ToString());
        Assert.Equal(30 * 16 * 4, market.Raw!.Length);
        var portfolio = Assert.IsType<NdArray>(obs["portfolio"]);
        Assert.Equal([1, 3], portfolio.Shape);
        Assert.Equal(1f, BinaryPrimitives.ReadSingleLittleEndian(portfolio.Raw.AsSpan(8))); // position sign of the last obs
    }

    [Fact]
    public void Naming_an_unlisted_global_is_refused_unless_names_are_allowed_and_calling_it_is_always_refused()
    {
        // protocol 2: c os\nsystem\n ( X 'id' t R .
        var bytes = new PickleEmitter().Proto().Global("os", "system").Mark().Str("id").Tuple().Reduce().Stop().ToArray();
        var strict = Assert.Throws<AfmlException>(() => new PickleReader(bytes, 0, "x.pkl", PickleAllowList.Empty).Load());
        Assert.Equal("PickleGlobalNotAllowed", strict.ErrorId);
        var lenient = Assert.Throws<AfmlException>(() => new PickleReader(bytes, 0, "x.pkl", PickleAllowList.Empty.WithAnyName()).Load());
        Assert.Equal("PickleGlobalNotAllowed", lenient.ErrorId);
        Assert.Contains("os.system", lenient.Message);

        var nameOnly = new PickleEmitter().Proto().Global("torch.nn.modules.activation", "ReLU").Stop().ToArray();
        Assert.Equal(new PyGlobal("torch.nn.modules.activation", "ReLU"), new PickleReader(nameOnly, 0, "x.pkl", PickleAllowList.Empty.WithAnyName()).Load());
    }

    [Fact]
    public void Persistent_ids_without_a_loader_are_invalid()
    {
        var bytes = new PickleEmitter().Proto().Str("k").BinPersId().Stop().ToArray();
        var ex = Assert.Throws<AfmlException>(() => new PickleReader(bytes, 0, "p.pkl", PickleAllowList.Empty).Load());
        Assert.Equal("PickleInvalid", ex.ErrorId);
    }
}
