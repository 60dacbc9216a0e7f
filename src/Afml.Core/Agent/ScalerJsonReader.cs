using System.Text.Json;

namespace Afml.Core.Agent;

/// <summary>Reads <c>scaler_train.json</c>: <c>{feature_names, mean, scale, var, n_samples_seen, ...}</c>.</summary>
public static class ScalerJsonReader
{
    public static StandardScalerParams Read(string path)
    {
        if (!File.Exists(path))
            throw new AfmlException("ScalerNotFound", AfmlErrorCategory.ObjectNotFound, $"Scaler no encontrado: '{path}' does not exist.", path);
        try
        {
            using var stream = File.OpenRead(path);
            using var doc = JsonDocument.Parse(stream);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new AfmlException("ScalerInvalid", AfmlErrorCategory.InvalidData,
                    $"{path}: holds a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object with feature_names, mean and scale.", path);
            var names = Array(root, "feature_names", path).Select(e => e.GetString() ?? throw Bad(path, "feature_names", "holds a null")).ToArray();
            var mean = Numbers(root, "mean", path);
            var scale = Numbers(root, "scale", path);
            var variance = root.TryGetProperty("var", out var v) && v.ValueKind == JsonValueKind.Array ? Numbers(root, "var", path) : null;
            long? seen = root.TryGetProperty("n_samples_seen", out var n) && n.ValueKind == JsonValueKind.Number ? n.GetInt64() : null;
            var scaler = new StandardScalerParams(names, mean, scale, variance, seen);
            ScalerValidation.Validate(scaler, path);
            return scaler;
        }
        catch (JsonException ex)
        {
            throw new AfmlException("ScalerInvalid", AfmlErrorCategory.InvalidData, $"{path}: not valid JSON ({ex.Message}).", path, ex);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException)
        {
            // a number out of double's or long's range, an element of an unexpected kind
            throw new AfmlException("ScalerInvalid", AfmlErrorCategory.InvalidData, $"{path}: {ex.Message}", path, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AfmlException("ScalerUnreadable", AfmlErrorCategory.InvalidData, $"{path}: cannot be read: {ex.Message}", path, ex);
        }
    }

    private static IEnumerable<JsonElement> Array(JsonElement root, string key, string path) =>
        root.TryGetProperty(key, out var e) && e.ValueKind == JsonValueKind.Array
            ? e.EnumerateArray()
            : throw Bad(path, key, "is missing or not a list");

    private static double[] Numbers(JsonElement root, string key, string path) =>
        Array(root, key, path).Select(e => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : throw Bad(path, key, "holds a non-number")).ToArray();

    private static AfmlException Bad(string path, string key, string what) =>
        new("ScalerInvalid", AfmlErrorCategory.InvalidData, $"{path}: '{key}' {what}.", path);
}

/// <summary>Checks a scaler is usable: matching lengths, finite means, positive finite scales.</summary>
public static class ScalerValidation
{
    public static void Validate(StandardScalerParams s, string path)
    {
        var n = s.FeatureNames.Count;
        if (n == 0) throw Bad(path, "the scaler has no features");
        if (s.Mean.Length != n || s.Scale.Length != n)
            throw Bad(path, $"{n} feature names but {s.Mean.Length} means and {s.Scale.Length} scales");
        for (var i = 0; i < n; i++)
        {
            if (!double.IsFinite(s.Mean[i])) throw Bad(path, $"mean of '{s.FeatureNames[i]}' is {s.Mean[i]}");
            if (!double.IsFinite(s.Scale[i]) || s.Scale[i] <= 0) throw Bad(path, $"scale of '{s.FeatureNames[i]}' is {s.Scale[i]}");
        }
        var dup = s.FeatureNames.GroupBy(x => x).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw Bad(path, $"feature '{dup.Key}' appears twice");
    }

    private static AfmlException Bad(string path, string what) =>
        new("ScalerInvalid", AfmlErrorCategory.InvalidData, $"{path}: {what}.", path);
}
