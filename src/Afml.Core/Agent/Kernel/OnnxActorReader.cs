using System.Buffers.Binary;
using Afml.Core.Agent.Sb3;

namespace Afml.Core.Agent.Kernel;

/// <summary>
/// Reads the dense actor back out of an ONNX file when the graph is exactly the SB3 actor shape the trainer's
/// export and <see cref="OnnxActorWriter"/> produce: one Flatten(axis 1) per input, Concat(axis 1), then
/// Gemm (+ activation) per hidden layer, a Gemm for <c>mu</c> and Tanh to the output <c>action</c>. Anything else
/// (another op, another attribute, a weight of another type) is not this network: the reader says why and the
/// session keeps OnnxRuntime. Field numbers are onnx.proto's.
/// </summary>
public static class OnnxActorReader
{
    private const int FloatType = 1;

    /// <summary>The network, or null with the reason the graph is not one the kernel can run.</summary>
    public static ActorNetwork? TryRead(string path, out string reason) => TryRead(File.ReadAllBytes(path), out reason);

    public static ActorNetwork? TryRead(byte[] model, out string reason)
    {
        try
        {
            return Read(model, out reason);
        }
        catch (FormatException ex)
        {
            reason = "the ONNX file is not readable protobuf: " + ex.Message;
            return null;
        }
    }

    private sealed record Node(string Op, List<string> Inputs, List<string> Outputs, Dictionary<string, (long? I, float? F)> Attributes);

    private sealed record Tensor(long[] Dims, float[] Values);

    private static ActorNetwork? Read(byte[] model, out string reason)
    {
        ReadOnlySpan<byte> graphBytes = default;
        var top = new ProtobufReader(model);
        var found = false;
        while (top.Next())
        {
            if (top.Field == 7 && top.WireType == 2) { graphBytes = top.Bytes(); found = true; }
            else top.Skip();
        }
        if (!found) { reason = "no graph"; return null; }

        var nodes = new List<Node>();
        var initializers = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var inputs = new List<(string Name, long[] Dims)>();
        var outputs = new List<string>();
        var g = new ProtobufReader(graphBytes);
        while (g.Next())
        {
            switch (g.Field)
            {
                case 1 when g.WireType == 2: nodes.Add(ReadNode(g.Bytes())); break;
                case 5 when g.WireType == 2:
                    {
                        var (name, t) = ReadTensor(g.Bytes());
                        if (t is null) { reason = $"initializer '{name}' is not float32"; return null; }
                        initializers[name] = t;
                        break;
                    }
                case 11 when g.WireType == 2: inputs.Add(ReadValueInfo(g.Bytes())); break;
                case 12 when g.WireType == 2: outputs.Add(ReadValueInfo(g.Bytes()).Name); break;
                default: g.Skip(); break;
            }
        }
        // Older exports list initializers among the inputs too.
        inputs.RemoveAll(i => initializers.ContainsKey(i.Name));
        if (outputs is not [OnnxPolicy.ActionOutput]) { reason = $"outputs are [{string.Join(", ", outputs)}], expected [action]"; return null; }

        var k = 0;
        var flattened = new Dictionary<string, ObservationInput>(StringComparer.Ordinal);
        while (k < nodes.Count && nodes[k].Op == "Flatten")
        {
            var n = nodes[k++];
            if (Attr(n, "axis", 1) != 1 || n.Inputs.Count != 1) { reason = "a Flatten is not over axis 1"; return null; }
            var input = inputs.FirstOrDefault(i => i.Name == n.Inputs[0]);
            if (input.Name is null || input.Dims.Length < 2 || input.Dims.Skip(1).Any(d => d <= 0)) { reason = $"Flatten of '{n.Inputs[0]}', not a graph input of known shape"; return null; }
            flattened[n.Outputs[0]] = new ObservationInput(input.Name, input.Dims.Skip(1).Select(d => checked((int)d)).ToArray());
        }
        if (k >= nodes.Count || nodes[k].Op != "Concat" || Attr(nodes[k], "axis", 0) != 1) { reason = "no Concat(axis 1) after the Flattens"; return null; }
        var concat = nodes[k++];
        var observation = new List<ObservationInput>();
        foreach (var name in concat.Inputs)
        {
            if (!flattened.TryGetValue(name, out var oi)) { reason = $"Concat input '{name}' is not a flattened graph input"; return null; }
            observation.Add(oi);
        }
        var x = concat.Outputs[0];
        var width = observation.Sum(o => o.Length);

        var layers = new List<DenseLayer>();
        ActorActivation? activation = null;
        while (true)
        {
            if (k >= nodes.Count || nodes[k].Op != "Gemm") { reason = $"expected a Gemm at node {k}"; return null; }
            var gemm = nodes[k++];
            var layer = ReadGemm(gemm, x, width, initializers, out reason);
            if (layer is null) return null;
            layers.Add(layer);
            x = gemm.Outputs[0];
            width = layer.Outputs;
            if (k >= nodes.Count) { reason = "the graph ends without Tanh"; return null; }
            var next = nodes[k];
            if (next.Op == "Tanh" && k == nodes.Count - 1)
            {
                if (next.Inputs is not [var tin] || tin != x || next.Outputs[0] != OnnxPolicy.ActionOutput) { reason = "the final Tanh does not map mu to 'action'"; return null; }
                break;
            }
            var act = next.Op switch
            {
                "Relu" => ActorActivation.ReLU,
                "Tanh" => ActorActivation.Tanh,
                "Sigmoid" => ActorActivation.Sigmoid,
                "LeakyRelu" when AttrF(next, "alpha", 0.01f) == 0.01f => ActorActivation.LeakyReLU,
                _ => (ActorActivation?)null,
            };
            if (act is null) { reason = $"hidden activation '{next.Op}' is not one the kernel runs"; return null; }
            if (activation is { } a && a != act) { reason = "hidden layers use different activations"; return null; }
            if (next.Inputs is not [var ain] || ain != x) { reason = $"activation '{next.Op}' is not applied to the Gemm before it"; return null; }
            activation = act;
            x = next.Outputs[0];
            k++;
        }
        if (layers[^1].Outputs != 1) { reason = $"mu has {layers[^1].Outputs} outputs; the kernel runs a single action"; return null; }
        reason = "";
        return new ActorNetwork(observation, layers.Take(layers.Count - 1).ToList(), layers[^1], activation ?? ActorActivation.ReLU);
    }

    private static DenseLayer? ReadGemm(Node gemm, string x, int inputWidth, Dictionary<string, Tensor> initializers, out string reason)
    {
        reason = "";
        if (gemm.Inputs.Count != 3 || gemm.Inputs[0] != x) { reason = "a Gemm is not fed by the previous layer with a bias"; return null; }
        if (AttrF(gemm, "alpha", 1f) != 1f || AttrF(gemm, "beta", 1f) != 1f || Attr(gemm, "transA", 0) != 0) { reason = "a Gemm has alpha/beta ≠ 1 or transA"; return null; }
        if (!initializers.TryGetValue(gemm.Inputs[1], out var w) || !initializers.TryGetValue(gemm.Inputs[2], out var b)) { reason = "a Gemm's weight or bias is not an initializer"; return null; }
        var transB = Attr(gemm, "transB", 0) == 1;
        if (w.Dims.Length != 2) { reason = $"weight '{gemm.Inputs[1]}' is not a matrix"; return null; }
        var (outputs, ins) = transB ? ((int)w.Dims[0], (int)w.Dims[1]) : ((int)w.Dims[1], (int)w.Dims[0]);
        if (ins != inputWidth) { reason = $"weight '{gemm.Inputs[1]}' takes {ins} inputs, the layer before gives {inputWidth}"; return null; }
        if (b.Values.Length != outputs || b.Dims.Length != 1) { reason = $"bias '{gemm.Inputs[2]}' is not a vector of {outputs}"; return null; }
        var weight = w.Values;
        if (!transB)
        {
            weight = new float[w.Values.Length];
            for (var i = 0; i < ins; i++)
                for (var o = 0; o < outputs; o++)
                    weight[o * ins + i] = w.Values[i * outputs + o];
        }
        return new DenseLayer(gemm.Inputs[1], ins, outputs, weight, b.Values);
    }

    private static long Attr(Node n, string name, long fallback) => n.Attributes.TryGetValue(name, out var a) && a.I is { } v ? v : fallback;

    private static float AttrF(Node n, string name, float fallback) => n.Attributes.TryGetValue(name, out var a) && a.F is { } v ? v : fallback;

    private static Node ReadNode(ReadOnlySpan<byte> bytes)
    {
        var node = new Node("", [], [], new(StringComparer.Ordinal));
        var op = "";
        var r = new ProtobufReader(bytes);
        while (r.Next())
        {
            switch (r.Field)
            {
                case 1: node.Inputs.Add(r.String()); break;
                case 2: node.Outputs.Add(r.String()); break;
                case 4: op = r.String(); break;
                case 5:
                    {
                        var a = new ProtobufReader(r.Bytes());
                        string name = "";
                        long? i = null;
                        float? f = null;
                        while (a.Next())
                        {
                            switch (a.Field)
                            {
                                case 1: name = a.String(); break;
                                case 2 when a.WireType == 5: f = a.Fixed32Float(); break;
                                case 3 when a.WireType == 0: i = (long)a.Varint(); break;
                                default: a.Skip(); break;
                            }
                        }
                        node.Attributes[name] = (i, f);
                        break;
                    }
                default: r.Skip(); break;
            }
        }
        return node with { Op = op };
    }

    private static (string Name, Tensor? Tensor) ReadTensor(ReadOnlySpan<byte> bytes)
    {
        var dims = new List<long>();
        var floats = new List<float>();
        var type = 0L;
        var name = "";
        float[]? raw = null;
        var r = new ProtobufReader(bytes);
        while (r.Next())
        {
            switch (r.Field)
            {
                case 1: r.Int64s(dims); break;
                case 2: type = (long)r.Varint(); break;
                case 4: r.Floats(floats); break;
                case 8: name = r.String(); break;
                case 9:
                    {
                        var b = r.Bytes();
                        if (b.Length % 4 != 0) throw new FormatException($"raw_data of '{name}' is not a multiple of 4 bytes");
                        raw = new float[b.Length / 4];
                        for (var i = 0; i < raw.Length; i++) raw[i] = BinaryPrimitives.ReadSingleLittleEndian(b[(i * 4)..]);
                        break;
                    }
                case 13 or 14: return (name, null); // external data
                default: r.Skip(); break;
            }
        }
        if (type != FloatType) return (name, null);
        var values = raw ?? floats.ToArray();
        var count = dims.Aggregate(1L, (a, d) => a * d);
        if (count != values.Length) throw new FormatException($"initializer '{name}' has {values.Length} values for shape [{string.Join(", ", dims)}]");
        return (name, new Tensor(dims.ToArray(), values));
    }

    private static (string Name, long[] Dims) ReadValueInfo(ReadOnlySpan<byte> bytes)
    {
        var name = "";
        var dims = new List<long>();
        var r = new ProtobufReader(bytes);
        while (r.Next())
        {
            if (r.Field == 1) { name = r.String(); continue; }
            if (r.Field != 2) { r.Skip(); continue; }
            var type = new ProtobufReader(r.Bytes());
            while (type.Next())
            {
                if (type.Field != 1) { type.Skip(); continue; }
                var tensor = new ProtobufReader(type.Bytes());
                while (tensor.Next())
                {
                    if (tensor.Field != 2) { tensor.Skip(); continue; }
                    var shape = new ProtobufReader(tensor.Bytes());
                    while (shape.Next())
                    {
                        if (shape.Field != 1) { shape.Skip(); continue; }
                        var dim = new ProtobufReader(shape.Bytes());
                        long value = -1;
                        while (dim.Next())
                        {
                            if (dim.Field == 1 && dim.WireType == 0) value = (long)dim.Varint();
                            else dim.Skip();
                        }
                        dims.Add(value);
                    }
                }
            }
        }
        return (name, dims.ToArray());
    }
}
