namespace Afml.Core.Agent.Sb3;

/// <summary>
/// Writes an <see cref="ActorNetwork"/> as an ONNX model shaped like the trainer's own export (opset 13, IR 7):
/// one float input per Dict key with a dynamic <c>batch</c> axis, Flatten each, Concat, Gemm(transB=1) +
/// activation per hidden layer, Gemm for <c>mu</c>, Tanh → output <c>action</c> [batch, n]. Field numbers are
/// onnx.proto's (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto).
/// </summary>
public static class OnnxActorWriter
{
    private const long IrVersion = 7;
    private const long Opset = 13;
    private const int FloatType = 1; // TensorProto.DataType.FLOAT
    private const int AttrFloat = 1, AttrInt = 2; // AttributeProto.AttributeType

    public static byte[] Write(ActorNetwork net, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var graph = new GraphBuilder();
        var flat = new List<string>();
        foreach (var input in net.Inputs)
        {
            var output = $"/features_extractor/{input.Name}/Flatten_output_0";
            graph.Node("Flatten", $"/features_extractor/{input.Name}/Flatten", [input.Name], output, a => a.Int("axis", 1));
            flat.Add(output);
        }
        var x = "/features_extractor/Concat_output_0";
        graph.Node("Concat", "/features_extractor/Concat", flat, x, a => a.Int("axis", 1));
        for (var i = 0; i < net.Hidden.Count; i++)
        {
            x = Gemm(graph, net.Hidden[i], $"/latent_pi/latent_pi.{2 * i}", x);
            x = Activation(graph, net.Activation, $"/latent_pi/latent_pi.{2 * i + 1}", x);
        }
        x = Gemm(graph, net.Mu, "/mu", x);
        graph.Node("Tanh", "/Tanh", [x], OnnxPolicy.ActionOutput);

        var model = new ProtobufWriter()
            .Varint(1, IrVersion)
            .String(2, "afml")
            .String(3, typeof(OnnxActorWriter).Assembly.GetName().Version?.ToString() ?? "0")
            .Message(7, g => graph.WriteTo(g, net))
            .Message(8, o => o.String(1, "").Varint(2, Opset));
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
            model.Message(14, e => e.String(1, key).String(2, value));
        return model.ToArray();
    }

    private static string Gemm(GraphBuilder graph, DenseLayer layer, string scope, string input)
    {
        var output = scope + "/Gemm_output_0";
        graph.Initializer(layer.Name + ".weight", [layer.Outputs, layer.Inputs], layer.Weight);
        graph.Initializer(layer.Name + ".bias", [layer.Outputs], layer.Bias);
        graph.Node("Gemm", scope + "/Gemm", [input, layer.Name + ".weight", layer.Name + ".bias"], output,
            a => a.Float("alpha", 1f).Float("beta", 1f).Int("transB", 1));
        return output;
    }

    private static string Activation(GraphBuilder graph, ActorActivation activation, string scope, string x)
    {
        string Unary(string op, string input, string suffix, Action<AttributeList>? attrs = null)
        {
            var output = $"{scope}/{op}{suffix}_output_0";
            graph.Node(op, $"{scope}/{op}{suffix}", [input], output, attrs);
            return output;
        }
        string Binary(string op, string a, string b, string suffix)
        {
            var output = $"{scope}/{op}{suffix}_output_0";
            graph.Node(op, $"{scope}/{op}{suffix}", [a, b], output);
            return output;
        }
        switch (activation)
        {
            case ActorActivation.ReLU: return Unary("Relu", x, "");
            case ActorActivation.Tanh: return Unary("Tanh", x, "");
            case ActorActivation.Sigmoid: return Unary("Sigmoid", x, "");
            case ActorActivation.LeakyReLU: return Unary("LeakyRelu", x, "", a => a.Float("alpha", 0.01f));
            case ActorActivation.ELU: return Unary("Elu", x, "", a => a.Float("alpha", 1f));
            case ActorActivation.SELU: return Unary("Selu", x, ""); // ONNX defaults are torch's alpha and scale
            case ActorActivation.Softplus: return Unary("Softplus", x, "");
            case ActorActivation.SiLU: return Binary("Mul", x, Unary("Sigmoid", x, ""), "");
            case ActorActivation.Mish: return Binary("Mul", x, Unary("Tanh", Unary("Softplus", x, ""), ""), "");
            case ActorActivation.GELU:
                {
                    // torch's exact GELU: 0.5·x·(1 + erf(x/√2))
                    var c = graph.Constant("/gelu/inv_sqrt2", (float)(1 / Math.Sqrt(2)));
                    var one = graph.Constant("/gelu/one", 1f);
                    var half = graph.Constant("/gelu/half", 0.5f);
                    var erf = Unary("Erf", Binary("Mul", x, c, "_1"), "");
                    var y = Binary("Mul", x, Binary("Add", erf, one, ""), "_2");
                    return Binary("Mul", y, half, "_3");
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "no ONNX mapping");
        }
    }

    /// <summary>Attributes of one node.</summary>
    private sealed class AttributeList
    {
        public List<Action<ProtobufWriter>> Items { get; } = [];

        public AttributeList Int(string name, long value)
        {
            Items.Add(w => w.String(1, name).Varint(3, value).Varint(20, AttrInt));
            return this;
        }

        public AttributeList Float(string name, float value)
        {
            Items.Add(w => w.String(1, name).Float(2, value).Varint(20, AttrFloat));
            return this;
        }
    }

    private sealed class GraphBuilder
    {
        private readonly List<Action<ProtobufWriter>> _nodes = [];
        private readonly List<Action<ProtobufWriter>> _initializers = [];
        private readonly HashSet<string> _constants = [];

        public void Node(string op, string name, IReadOnlyList<string> inputs, string output, Action<AttributeList>? attrs = null)
        {
            var list = new AttributeList();
            attrs?.Invoke(list);
            _nodes.Add(n =>
            {
                foreach (var i in inputs) n.String(1, i);
                n.String(2, output).String(3, name).String(4, op);
                foreach (var a in list.Items) n.Message(5, a);
            });
        }

        public void Initializer(string name, long[] dims, float[] values) =>
            _initializers.Add(t =>
            {
                foreach (var d in dims) t.Varint(1, d);
                t.Varint(2, FloatType).String(8, name);
                var bytes = new byte[values.Length * 4];
                for (var i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
                t.Bytes(9, bytes);
            });

        public string Constant(string name, float value)
        {
            if (_constants.Add(name)) Initializer(name, [], [value]);
            return name;
        }

        public void WriteTo(ProtobufWriter g, ActorNetwork net)
        {
            foreach (var n in _nodes) g.Message(1, n);
            g.String(2, "afml_sb3_actor");
            foreach (var t in _initializers) g.Message(5, t);
            foreach (var input in net.Inputs) g.Message(11, v => ValueInfo(v, input.Name, input.Shape));
            g.Message(12, v => ValueInfo(v, OnnxPolicy.ActionOutput, [net.Mu.Outputs]));
        }

        private static void ValueInfo(ProtobufWriter v, string name, int[] shape) =>
            v.String(1, name).Message(2, type => type.Message(1, tensor => tensor
                .Varint(1, FloatType)
                .Message(2, s =>
                {
                    s.Message(1, d => d.String(2, "batch"));
                    foreach (var n in shape) s.Message(1, d => d.Varint(1, n));
                })));
    }
}
