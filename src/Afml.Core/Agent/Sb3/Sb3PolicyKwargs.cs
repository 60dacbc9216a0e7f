using System.Text.Json;
using System.Text.RegularExpressions;
using Afml.Core.Agent.Pickle;

namespace Afml.Core.Agent.Sb3;

/// <summary>
/// The parts of SB3's <c>policy_kwargs</c> that shape the actor. SB3 stores them twice in <c>data</c>: a cloudpickle
/// (<c>:serialized:</c>, base64) and readable JSON/repr values. The pickle is read with <see cref="PickleReader"/>
/// (globals become names, nothing is called); when it cannot be read the readable values are used.
/// </summary>
public sealed record Sb3PolicyKwargs(IReadOnlyList<int>? PiArch, string ActivationClass, bool UseSde, string? FeaturesExtractorClass)
{
    private const string DefaultActivation = "torch.nn.modules.activation.ReLU";

    public static Sb3PolicyKwargs Parse(JsonElement data, string label, string target)
    {
        if (!data.TryGetProperty("policy_kwargs", out var kw) || kw.ValueKind != JsonValueKind.Object)
            return new Sb3PolicyKwargs(null, DefaultActivation, false, null);
        if (FromPickle(kw, label) is { } fromPickle) return fromPickle;
        return FromReadable(kw);
    }

    private static Sb3PolicyKwargs? FromPickle(JsonElement kw, string label)
    {
        if (!kw.TryGetProperty(":serialized:", out var s) || s.GetString() is not { } b64) return null;
        try
        {
            var bytes = Convert.FromBase64String(b64);
            var value = new PickleReader(bytes, 0, label + " policy_kwargs", PickleAllowList.Empty.WithAnyName()).Load();
            if (value is not Dictionary<object, object?> d) return null;
            var activation = d.TryGetValue("activation_fn", out var a) ? a is PyGlobal g ? g.FullName : null : DefaultActivation;
            if (activation is null) return null;
            var extractor = d.TryGetValue("features_extractor_class", out var fe) ? (fe as PyGlobal)?.FullName ?? "?" : null;
            return new Sb3PolicyKwargs(ReadPiArch(d.TryGetValue("net_arch", out var na) ? na : null), activation, d.TryGetValue("use_sde", out var sde) && sde is true, extractor);
        }
        catch (Exception ex) when (ex is FormatException or AfmlException)
        {
            return null; // e.g. an activation pickled by value (cloudpickle code): fall back to the readable form
        }
    }

    private static Sb3PolicyKwargs FromReadable(JsonElement kw)
    {
        var activation = kw.TryGetProperty("activation_fn", out var a) ? ClassName(a.GetString()) ?? a.GetString() ?? "?" : DefaultActivation;
        var extractor = kw.TryGetProperty("features_extractor_class", out var fe) ? ClassName(fe.ValueKind == JsonValueKind.String ? fe.GetString() : null) ?? "?" : null;
        IReadOnlyList<int>? arch = null;
        if (kw.TryGetProperty("net_arch", out var na))
        {
            var pi = na.ValueKind == JsonValueKind.Object && na.TryGetProperty("pi", out var p) ? p : na;
            if (pi.ValueKind == JsonValueKind.Array && pi.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number))
                arch = pi.EnumerateArray().Select(e => e.GetInt32()).ToArray();
        }
        var sde = kw.TryGetProperty("use_sde", out var u) && u.ValueKind == JsonValueKind.True;
        return new Sb3PolicyKwargs(arch, activation, sde, extractor);
    }

    private static string? ClassName(string? repr) =>
        repr is not null && Regex.Match(repr, @"^<class '([\w.]+)'>$") is { Success: true } m ? m.Groups[1].Value : null;

    private static IReadOnlyList<int>? ReadPiArch(object? netArch)
    {
        var pi = netArch is Dictionary<object, object?> d ? d.TryGetValue("pi", out var p) ? p : null : netArch;
        return pi is List<object?> list && list.All(x => x is long) ? list.Select(x => (int)(long)x!).ToArray() : null;
    }
}
