using Afml.Core.Agent.Pickle;

namespace Afml.Core.Agent;

/// <summary>
/// Reads <c>scaler_train.pkl</c> — a scikit-learn <c>StandardScaler</c> saved by <c>joblib.dump</c> (or plain
/// <c>pickle.dump</c>) — without Python and without executing anything from the file: only the scaler class, joblib's
/// array wrapper and numpy's array/dtype/scalar rebuilders are accepted, as inert data.
/// </summary>
public static class ScalerPickleReader
{
    public const string ScalerClass = "sklearn.preprocessing._data.StandardScaler";
    private const long MaxBytes = 64L * 1024 * 1024;

    private static readonly PickleAllowList Allowed = PickleAllowList.Empty
        .WithClasses(ScalerClass, "sklearn.preprocessing.data.StandardScaler")
        .WithJoblib();

    public static StandardScalerParams Read(string path)
    {
        if (!File.Exists(path))
            throw new AfmlException("ScalerNotFound", AfmlErrorCategory.ObjectNotFound, $"Scaler no encontrado: '{path}' does not exist.", path);
        var info = new FileInfo(path);
        if (info.Length > MaxBytes) throw Bad(path, $"is {info.Length} bytes; a StandardScaler pickle is a few kB");
        var bytes = File.ReadAllBytes(path);
        if (IsCompressed(bytes))
            throw Bad(path, "is compressed (joblib compress=...); only uncompressed joblib or pickle files are read");
        var reader = new PickleReader(bytes, 0, path, Allowed) { AfterBuild = JoblibArrays.ReadWrappedArray };
        var root = reader.Load();
        if (root is not PyObject { StateDict: { } state } scaler || !scaler.Type.FullName.EndsWith(".StandardScaler", StringComparison.Ordinal))
            throw Bad(path, $"holds {Describe(root)}, not a fitted sklearn StandardScaler");
        try
        {
            return FromState(state, path);
        }
        catch (PickleFormatException ex)
        {
            throw Bad(path, ex.Message);
        }
    }

    // joblib's compressors: zlib (0x78), gzip (1f 8b), bz2 ("BZh"), xz (fd "7zXZ"); no pickle starts like these.
    private static bool IsCompressed(byte[] b) =>
        b is [0x78, ..] or [0x1f, 0x8b, ..] or [(byte)'B', (byte)'Z', (byte)'h', ..] or [0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', ..];

    private static StandardScalerParams FromState(IReadOnlyDictionary<object, object?> state, string path)
    {
        if (state.TryGetValue("with_mean", out var wm) && wm is false || state.TryGetValue("with_std", out var ws) && ws is false)
            throw Bad(path, "was fitted with with_mean=False or with_std=False; the trading env always centres and scales");
        var names = Get(state, "feature_names_in_", path) is NdArray { Objects: { } objs }
            ? objs.Select(o => o as string ?? throw Bad(path, "'feature_names_in_' holds a non-string")).ToArray()
            : throw Bad(path, "'feature_names_in_' is not an object array of names (fit the scaler on a DataFrame)");
        var mean = Doubles(state, "mean_", path);
        var scale = Doubles(state, "scale_", path);
        var variance = state.TryGetValue("var_", out var v) && v is NdArray ? Doubles(state, "var_", path) : null;
        long? seen = state.TryGetValue("n_samples_seen_", out var n) ? n switch
        {
            long l => l,
            NdArray => null, // per-feature counts (partial_fit with NaNs); not used for scaling
            _ => throw Bad(path, "'n_samples_seen_' is neither an int nor an array"),
        } : null;
        if (state.TryGetValue("n_features_in_", out var nf) && nf is long count && count != names.Length)
            throw Bad(path, $"'n_features_in_' is {count} but there are {names.Length} feature names");
        var scaler = new StandardScalerParams(names, mean, scale, variance, seen);
        ScalerValidation.Validate(scaler, path);
        return scaler;
    }

    private static object? Get(IReadOnlyDictionary<object, object?> state, string key, string path) =>
        state.TryGetValue(key, out var v) ? v : throw Bad(path, $"lacks '{key}' (is the scaler fitted?)");

    private static double[] Doubles(IReadOnlyDictionary<object, object?> state, string key, string path) =>
        Get(state, key, path) is NdArray a && a.ToDoubles() is { } d
            ? d
            : throw Bad(path, $"'{key}' is not a 1-D float array");

    private static string Describe(object? o) => o switch
    {
        null => "None",
        PyObject p => $"a '{p.Type.FullName}' object",
        _ => $"a {o.GetType().Name}",
    };

    private static AfmlException Bad(string path, string what) =>
        new("ScalerInvalid", AfmlErrorCategory.InvalidData, $"{path}: {what}.", path);
}
