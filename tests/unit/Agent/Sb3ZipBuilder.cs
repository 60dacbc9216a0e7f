using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Afml.Tests.Agent;

/// <summary>
/// Writes small SB3-like <c>modelo.zip</c> files in-test: a <c>data</c> JSON (spaces, policy_kwargs with a
/// protocol-2 pickle of net_arch/activation_fn) and a torch zip <c>policy.pth</c> whose <c>data.pkl</c> is emitted
/// opcode by opcode as torch.save writes it. Knobs let a test break one thing at a time.
/// </summary>
internal sealed class Sb3ZipBuilder
{
    public int Window { get; init; } = 4;
    public int Features { get; init; } = 3;
    public int PortfolioSize { get; init; } = 3;
    public int[] Hidden { get; init; } = [8, 5];
    public string Activation { get; init; } = "ReLU";
    public string ActivationModule { get; init; } = "torch.nn.modules.activation";
    public int Seed { get; init; } = 7;

    /// <summary>Overrides the declared [rows, cols] of one weight (the bytes still hold rows·cols values).</summary>
    public (string Name, int Rows, int Cols)? WeightShape { get; init; }

    /// <summary>A global to put in data.pkl in place of torch._utils._rebuild_tensor_v2 for the first tensor.</summary>
    public (string Module, string Name)? RebuildGlobal { get; init; }

    public Dictionary<string, (int[] Shape, float[] Values)> Tensors { get; } = [];

    public string Write(string path)
    {
        var rng = new Random(Seed);
        float[] Rand(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale)).ToArray();
        var width = Window * Features + PortfolioSize;
        for (var i = 0; i < Hidden.Length; i++)
        {
            Tensors[$"actor.latent_pi.{2 * i}.weight"] = ([Hidden[i], width], Rand(Hidden[i] * width, 1f / MathF.Sqrt(width)));
            Tensors[$"actor.latent_pi.{2 * i}.bias"] = ([Hidden[i]], Rand(Hidden[i], 0.3f));
            width = Hidden[i];
        }
        Tensors["actor.mu.weight"] = ([1, width], Rand(width, 1f / MathF.Sqrt(width)));
        Tensors["actor.mu.bias"] = ([1], Rand(1, 0.1f));
        Tensors["actor.log_std.weight"] = ([1, width], Rand(width, 0.1f));

        using var file = File.Create(path);
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
        {
            Add(zip, "data", Encoding.UTF8.GetBytes(DataJson()));
            Add(zip, "policy.pth", PolicyPth());
            Add(zip, "_stable_baselines3_version", "2.4.1"u8.ToArray());
        }
        return path;
    }

    private static void Add(ZipArchive zip, string name, byte[] content)
    {
        using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        s.Write(content);
    }

    private string DataJson()
    {
        var arch = string.Join(", ", Hidden);
        var kwargs = Convert.ToBase64String(KwargsPickle());
        return $$"""
        {
          "policy_kwargs": {":type:": "<class 'dict'>", ":serialized:": "{{kwargs}}", "net_arch": {"pi": [{{arch}}], "qf": [{{arch}}]},
            "activation_fn": "<class '{{ActivationModule}}.{{Activation}}'>", "use_sde": false},
          "observation_space": {":type:": "<class 'gymnasium.spaces.dict.Dict'>",
            "spaces": "{'market': Box(-inf, inf, ({{Window}}, {{Features}}), float32), 'portfolio': Box(-inf, inf, ({{PortfolioSize}},), float32)}"},
          "action_space": {":type:": "<class 'gymnasium.spaces.box.Box'>", "dtype": "float32", "_shape": [1], "low_repr": "-1.0", "high_repr": "1.0"}
        }
        """;
    }

    private byte[] KwargsPickle()
    {
        var p = new PickleEmitter();
        p.Proto().EmptyDict().Mark()
            .Str("net_arch").EmptyDict().Mark().Str("pi").EmptyList().Mark();
        foreach (var h in Hidden) p.Int(h);
        p.Appends().SetItems()
            .Str("activation_fn").Global(ActivationModule, Activation)
            .Str("use_sde").False()
            .SetItems().Stop();
        return p.ToArray();
    }

    private byte[] PolicyPth()
    {
        var p = new PickleEmitter();
        p.Proto().Global("collections", "OrderedDict").EmptyTuple().Reduce().Mark();
        var key = 0;
        var storages = new List<(string Key, float[] Values)>();
        foreach (var (name, (shape, values)) in Tensors)
        {
            var declared = WeightShape is { } ws && ws.Name == name ? new[] { ws.Rows, ws.Cols } : shape;
            var rebuild = key == 0 && RebuildGlobal is { } g ? g : ("torch._utils", "_rebuild_tensor_v2");
            p.Str(name).Global(rebuild.Item1, rebuild.Item2).Mark()
                .Mark().Str("storage").Global("torch", "FloatStorage").Str(key.ToString(CultureInfo.InvariantCulture)).Str("cpu").Int(values.Length).Tuple().BinPersId()
                .Int(0).Mark();
            foreach (var d in declared) p.Int(d);
            p.Tuple().Mark();
            var stride = 1;
            var strides = new int[declared.Length];
            for (var d = declared.Length - 1; d >= 0; d--) { strides[d] = stride; stride *= declared[d]; }
            foreach (var s in strides) p.Int(s);
            p.Tuple().False().Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce();
            storages.Add((key.ToString(CultureInfo.InvariantCulture), values));
            key++;
        }
        p.SetItems().Stop();

        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "archive/data.pkl", p.ToArray());
            foreach (var (k, values) in storages)
            {
                var bytes = new byte[values.Length * 4];
                for (var i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), values[i]);
                Add(zip, "archive/data/" + k, bytes);
            }
            Add(zip, "archive/version", "3\n"u8.ToArray());
        }
        return ms.ToArray();
    }
}

/// <summary>Emits protocol-2 pickle opcodes.</summary>
internal sealed class PickleEmitter
{
    private readonly MemoryStream _s = new();

    public byte[] ToArray() => _s.ToArray();

    private PickleEmitter Op(params byte[] b)
    {
        _s.Write(b);
        return this;
    }

    public PickleEmitter Proto() => Op(0x80, 2);
    public PickleEmitter Stop() => Op((byte)'.');
    public PickleEmitter Mark() => Op((byte)'(');
    public PickleEmitter EmptyDict() => Op((byte)'}');
    public PickleEmitter EmptyList() => Op((byte)']');
    public PickleEmitter EmptyTuple() => Op((byte)')');
    public PickleEmitter Tuple() => Op((byte)'t');
    public PickleEmitter Appends() => Op((byte)'e');
    public PickleEmitter SetItems() => Op((byte)'u');
    public PickleEmitter Reduce() => Op((byte)'R');
    public PickleEmitter BinPersId() => Op((byte)'Q');
    public PickleEmitter False() => Op(0x89);

    public PickleEmitter Int(int v)
    {
        Op((byte)'J');
        return Op(BitConverter.GetBytes(v));
    }

    public PickleEmitter Str(string v)
    {
        var b = Encoding.UTF8.GetBytes(v);
        Op((byte)'X');
        Op(BitConverter.GetBytes(b.Length));
        return Op(b);
    }

    public PickleEmitter Global(string module, string name) => Op(Encoding.ASCII.GetBytes($"c{module}\n{name}\n"));
}
