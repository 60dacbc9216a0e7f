namespace Afml.Core.Configuration;

/// <summary>
/// <c>entrenamientos/&lt;train_id&gt;/</c> as the Python trainer lays it out. Knows where every file is; reads none.
/// </summary>
public sealed class TrainingFolder
{
    public const string ConfigFileName = "config_metadata.yaml";
    public const string ScalerJsonFileName = "scaler_train.json";
    public const string ScalerPickleFileName = "scaler_train.pkl";
    public const string ModelsDirName = "modelos";
    public const string OnnxFileName = "modelo.onnx";
    public const string ZipFileName = "modelo.zip";
    public const string ProductionDirName = "produccion";

    private TrainingFolder(string root, string trainId)
    {
        Root = root;
        TrainId = trainId;
        Directory = Path.Combine(root, trainId);
    }

    /// <summary>The folder that holds the trainings (default <c>./entrenamientos</c>).</summary>
    public string Root { get; }
    public string TrainId { get; }
    public string Directory { get; }

    public string ConfigPath => Path.Combine(Directory, ConfigFileName);
    public string ScalerJsonPath => Path.Combine(Directory, ScalerJsonFileName);
    public string ScalerPicklePath => Path.Combine(Directory, ScalerPickleFileName);
    public string OnnxPath => Path.Combine(Directory, ModelsDirName, OnnxFileName);
    public string ZipPath => Path.Combine(Directory, ModelsDirName, ZipFileName);
    public string GoldenDir => Path.Combine(Directory, "golden");
    public string ProductionDir => Path.Combine(Directory, ProductionDirName);

    /// <summary>Longest train id accepted (a folder name; the trainer's are about 70 characters).</summary>
    public const int MaxTrainIdLength = 200;

    private static readonly char[] ForbiddenInTrainId = ['/', '\\', ':', '*', '?', '"', '<', '>', '|'];

    /// <summary>
    /// The one check every train id goes through before it is joined to a path: a single folder name under the
    /// training root — not empty, no path separator, drive, wildcard or control character, not <c>.</c> or
    /// <c>..</c>, no leading or trailing space, at most <see cref="MaxTrainIdLength"/> characters. Returns the id;
    /// throws <c>TrainIdInvalid</c> naming it and the rule it breaks.
    /// </summary>
    public static string ValidateTrainId(string? trainId)
    {
        var why = trainId switch
        {
            null or "" => "it is empty",
            _ when string.IsNullOrWhiteSpace(trainId) => "it is blank",
            "." or ".." => "it names the training root or its parent",
            _ when trainId.Trim() != trainId => "it starts or ends with a space",
            _ when trainId.Length > MaxTrainIdLength => $"it is longer than {MaxTrainIdLength} characters",
            _ when trainId.IndexOfAny(ForbiddenInTrainId) >= 0 || trainId.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || Path.IsPathRooted(trainId)
                => "it is a path, not a folder name under the training root",
            _ when trainId.Any(char.IsControl) => "it holds a control character",
            _ => null,
        };
        return why is null
            ? trainId!
            : throw new AfmlException("TrainIdInvalid", AfmlErrorCategory.InvalidArgument,
                $"'{trainId}' is not a valid train id: {why} (a train id is the name of one folder under the training root, e.g. train_BTCUSDT_20230101_20241231_lr0.0003_bs256_ws30_20261124_221259).", trainId);
    }

    /// <summary><see cref="ValidateTrainId"/> as a test, for callers that skip instead of failing (argument completers).</summary>
    public static bool IsValidTrainId(string? trainId)
    {
        try
        {
            ValidateTrainId(trainId);
            return true;
        }
        catch (AfmlException)
        {
            return false;
        }
    }

    /// <summary>Opens an existing training folder; a missing root or id is an error that lists what exists.</summary>
    public static TrainingFolder Open(string root, string trainId)
    {
        ValidateTrainId(trainId);
        var fullRoot = Path.GetFullPath(root);
        if (!System.IO.Directory.Exists(fullRoot))
            throw new AfmlException("TrainingRootNotFound", AfmlErrorCategory.ObjectNotFound,
                $"Training root '{fullRoot}' does not exist (pass -TrainingRoot, or run from the folder that contains entrenamientos/).", fullRoot);
        var folder = new TrainingFolder(fullRoot, trainId);
        if (!System.IO.Directory.Exists(folder.Directory))
        {
            var known = List(fullRoot).Take(5).ToArray();
            var hint = known.Length == 0 ? "it holds no trainings" : "it holds: " + string.Join(", ", known);
            throw new AfmlException("TrainingNotFound", AfmlErrorCategory.ObjectNotFound,
                $"Training '{trainId}' not found under '{fullRoot}' ({hint}).", folder.Directory);
        }
        return folder;
    }

    /// <summary>Train ids under <paramref name="root"/>: folders that contain a <c>config_metadata.yaml</c>.</summary>
    public static IEnumerable<string> List(string root) =>
        System.IO.Directory.Exists(root)
            ? System.IO.Directory.EnumerateDirectories(root)
                .Where(d => File.Exists(Path.Combine(d, ConfigFileName)))
                .Select(Path.GetFileName)
                .OfType<string>()
                .Order(StringComparer.Ordinal)
            : [];
}
