using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Afml.Core.Agent.Sb3;

/// <summary>
/// Reads the deterministic actor out of an SB3 SAC <c>modelo.zip</c> (MultiInputPolicy over a Dict observation):
/// spaces and policy_kwargs from <c>data</c>, weights from <c>policy.pth</c>. Every shape is checked against the
/// observation space, net_arch and the chain of layers; anything we cannot reproduce exactly is refused.
/// </summary>
public static class Sb3ModelReader
{
    private static readonly Dictionary<string, ActorActivation> Activations = new(StringComparer.Ordinal)
    {
        ["ReLU"] = ActorActivation.ReLU,
        ["Tanh"] = ActorActivation.Tanh,
        ["Sigmoid"] = ActorActivation.Sigmoid,
        ["LeakyReLU"] = ActorActivation.LeakyReLU,
        ["ELU"] = ActorActivation.ELU,
        ["SELU"] = ActorActivation.SELU,
        ["SiLU"] = ActorActivation.SiLU,
        ["GELU"] = ActorActivation.GELU,
        ["Softplus"] = ActorActivation.Softplus,
        ["Mish"] = ActorActivation.Mish,
    };

    public static ActorNetwork Read(string zipPath) => Read(File.ReadAllBytes(zipPath), zipPath);

    public static ActorNetwork Read(byte[] zipBytes, string zipPath)
    {
        try
        {
            return ReadUnchecked(zipBytes, zipPath);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or OverflowException or KeyNotFoundException or NotSupportedException)
        {
            // a JSON value of the wrong kind in 'data', a zip entry with an unknown compression method, ...
            throw ZipEntries.Invalid(zipPath, zipPath, ex.Message, ex);
        }
    }

    private static ActorNetwork ReadUnchecked(byte[] zipBytes, string zipPath)
    {
        using var stream = new MemoryStream(zipBytes, writable: false);
        var outer = ZipEntries.Read(stream, zipPath, zipPath);
        JsonElement data;
        try
        {
            using var doc = JsonDocument.Parse(outer.Get("data", zipPath));
            data = doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw ZipEntries.Invalid(zipPath, zipPath, $"entry 'data' is not JSON: {ex.Message}", ex);
        }
        using var pth = new MemoryStream(outer.Get("policy.pth", zipPath), writable: false);
        var policyLabel = zipPath + ":policy.pth";
        var tensors = TorchStateDictReader.Read(ZipEntries.Read(pth, policyLabel, zipPath), zipPath);

        var kwargs = Sb3PolicyKwargs.Parse(data, zipPath, zipPath);
        if (kwargs.UseSde) throw Unsupported(zipPath, "the policy uses gSDE (use_sde=True)");
        if (kwargs.FeaturesExtractorClass is { } fe && !fe.EndsWith(".CombinedExtractor", StringComparison.Ordinal))
            throw Unsupported(zipPath, $"features_extractor_class is '{fe}'; only SB3's CombinedExtractor (flatten + concat) is supported");
        var activation = MapActivation(kwargs.ActivationClass, zipPath);
        var inputs = ObservationInputs(data, zipPath);
        CheckActionSpace(data, zipPath);

        if (tensors.Keys.FirstOrDefault(k => k.StartsWith("actor.features_extractor.", StringComparison.Ordinal)) is { } extractorParam)
            throw Unsupported(zipPath, $"the features extractor has parameters ('{extractorParam}'); only flatten + concat is supported");
        var hidden = new List<DenseLayer>();
        var width = inputs.Sum(i => i.Length);
        for (var i = 0; tensors.ContainsKey($"actor.latent_pi.{i}.weight"); i += 2)
        {
            var layer = Layer(tensors, $"actor.latent_pi.{i}", width, kwargs.PiArch is { } arch && hidden.Count < arch.Count ? arch[hidden.Count] : null, policyLabel, zipPath, inputs);
            hidden.Add(layer);
            width = layer.Outputs;
        }
        if (kwargs.PiArch is { } pi && !pi.SequenceEqual(hidden.Select(h => h.Outputs)))
            throw Shape(zipPath, $"{policyLabel}: actor.latent_pi has layers [{string.Join(", ", hidden.Select(h => h.Outputs))}] but net_arch pi is [{string.Join(", ", pi)}]");
        var mu = Layer(tensors, "actor.mu", width, 1, policyLabel, zipPath, inputs);
        return new ActorNetwork(inputs, hidden, mu, activation);
    }

    private static DenseLayer Layer(IReadOnlyDictionary<string, TorchTensor> tensors, string name, int inputs, int? outputs, string label, string target, IReadOnlyList<ObservationInput> obs)
    {
        if (!tensors.TryGetValue(name + ".weight", out var w) || !tensors.TryGetValue(name + ".bias", out var b))
            throw new AfmlException("ModelTensorMissing", AfmlErrorCategory.InvalidData, $"{label}: the state dict lacks float32 '{name}.weight' or '{name}.bias'.", target);
        var rows = w.Shape.Length == 2 ? w.Shape[0] : -1;
        if (w.Shape.Length != 2 || w.Shape[1] != inputs || rows <= 0 || outputs is { } o && rows != o)
        {
            var why = name == "actor.latent_pi.0" ? $" (observation {string.Join(" + ", obs.Select(i => $"{i.Name} {string.Join("×", i.Shape)}"))} = {inputs} inputs)" : "";
            throw Shape(target, $"{label}: '{name}.weight' has shape {w.ShapeText}; expected [{outputs?.ToString(CultureInfo.InvariantCulture) ?? "n"}, {inputs}]{why}");
        }
        if (b.Shape.Length != 1 || b.Shape[0] != rows)
            throw Shape(target, $"{label}: '{name}.bias' has shape {b.ShapeText}; expected [{rows}]");
        return new DenseLayer(name, inputs, (int)rows, w.Values, b.Values);
    }

    private static IReadOnlyList<ObservationInput> ObservationInputs(JsonElement data, string zipPath)
    {
        if (!data.TryGetProperty("observation_space", out var space) || !space.TryGetProperty("spaces", out var spaces) || spaces.GetString() is not { } repr)
            throw Unsupported(zipPath, "the observation space is not a gymnasium Dict (no readable 'spaces')");
        // e.g. {'market': Box(-inf, inf, (30, 16), float32), 'portfolio': Box(-inf, inf, (3,), float32)}
        var keys = Regex.Matches(repr, @"'([^']+)':").Count;
        var boxes = Regex.Matches(repr, @"'(?<key>[^']+)':\s*Box\([^()]*\((?<shape>[\d,\s]*)\),\s*(?<dtype>\w+)\)");
        if (keys == 0 || boxes.Count != keys)
            throw Unsupported(zipPath, $"observation space {repr} is not a Dict of Box spaces");
        var inputs = new List<ObservationInput>();
        foreach (Match m in boxes)
        {
            if (m.Groups["dtype"].Value != "float32") throw Unsupported(zipPath, $"observation '{m.Groups["key"].Value}' is {m.Groups["dtype"].Value}, not float32");
            var shape = m.Groups["shape"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
            inputs.Add(new ObservationInput(m.Groups["key"].Value, shape));
        }
        // CombinedExtractor concatenates in the Dict's key order, which gymnasium sorts.
        return inputs.OrderBy(i => i.Name, StringComparer.Ordinal).ToArray();
    }

    private static void CheckActionSpace(JsonElement data, string zipPath)
    {
        if (!data.TryGetProperty("action_space", out var a)) throw Unsupported(zipPath, "data has no action_space");
        var shape = a.TryGetProperty("_shape", out var s) && s.ValueKind == JsonValueKind.Array ? s.EnumerateArray().Select(e => e.GetInt32()).ToArray() : [];
        // gymnasium writes low_repr/high_repr; older gym only the numpy str of the bounds, e.g. "[-1.]"
        var low = Bound(a, "low_repr", "low");
        var high = Bound(a, "high_repr", "high");
        if (shape is not [1] || !IsNumber(low, -1) || !IsNumber(high, 1))
            throw new AfmlException("ModelActionSpaceUnsupported", AfmlErrorCategory.InvalidData,
                $"{zipPath}: the action space is Box({low}, {high}, ({string.Join(", ", shape)})); the trading env uses Box(-1.0, 1.0, (1,)).", zipPath);
    }

    private static string? Bound(JsonElement space, string repr, string array) =>
        space.TryGetProperty(repr, out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()
        : space.TryGetProperty(array, out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()?.Trim('[', ']', ' ')
        : null;

    private static bool IsNumber(string? text, double expected) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v == expected;

    private static ActorActivation MapActivation(string fullName, string zipPath)
    {
        var dot = fullName.LastIndexOf('.');
        var module = dot > 0 ? fullName[..dot] : "";
        var name = fullName[(dot + 1)..];
        if (module.StartsWith("torch.nn", StringComparison.Ordinal) && Activations.TryGetValue(name, out var a)) return a;
        throw new AfmlException("ModelActivationUnsupported", AfmlErrorCategory.InvalidData,
            $"{zipPath}: policy_kwargs activation_fn is '{fullName}'; supported: {string.Join(", ", Activations.Keys.Select(k => "torch.nn." + k))}.", zipPath);
    }

    private static AfmlException Unsupported(string zipPath, string what) =>
        new("ModelUnsupported", AfmlErrorCategory.InvalidData, $"{zipPath}: {what}.", zipPath);

    private static AfmlException Shape(string target, string what) =>
        new("ModelTensorShapeMismatch", AfmlErrorCategory.InvalidData, what + ".", target);
}
