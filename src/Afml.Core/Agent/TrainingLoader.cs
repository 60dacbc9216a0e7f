using Afml.Core.Agent.Kernel;
using Afml.Core.Agent.Sb3;
using Afml.Core.Configuration;
using Afml.Core.Features;

namespace Afml.Core.Agent;

/// <summary>A training folder loaded and cross-checked: config, scaler and model agree with one another.</summary>
public sealed class LoadedTraining : IDisposable
{
    internal LoadedTraining(TrainingFolder folder, TrainingConfig config, StandardScalerParams scaler, string scalerPath, IPolicy policy, string modelPath)
    {
        Folder = folder;
        Config = config;
        Scaler = scaler;
        ScalerPath = scalerPath;
        Policy = policy;
        ModelPath = modelPath;
    }

    public TrainingFolder Folder { get; }
    public TrainingConfig Config { get; }
    public StandardScalerParams Scaler { get; }
    public string ScalerPath { get; }
    public IPolicy Policy { get; }
    public string ModelPath { get; }

    /// <summary>Which engine runs the actor (hand-written kernel or OnnxRuntime) and why.</summary>
    public KernelVerdict? Actor { get; init; }

    /// <summary>A fresh indicator pipeline producing the scaler's features in the scaler's order.</summary>
    public FeaturePipeline NewFeaturePipeline() => new(Config.Indicators, Scaler.FeatureNames);

    public void Dispose() => Policy.Dispose();
}

/// <summary>Loads <c>entrenamientos/&lt;train_id&gt;/</c>: config, scaler, model; then checks they fit together and
/// reports every mismatch at once, and when the folder carries golden observations, that the model reproduces the
/// trainer's actions. Model: <c>modelos/modelo.onnx</c>, else <c>modelos/modelo.zip</c> converted (and cached);
/// scaler: <c>scaler_train.json</c>, else <c>scaler_train.pkl</c>.</summary>
public static class TrainingLoader
{
    public static LoadedTraining Load(string root, string trainId)
    {
        var folder = TrainingFolder.Open(root, trainId);
        // One pass: config, scaler and model are each read even when another failed, and every failure is reported.
        var failures = new List<AfmlException>();
        var loadedConfig = Attempt(failures, () => TrainingConfigLoader.Load(folder));
        var scalerFile = Attempt<(StandardScalerParams Scaler, string Path)?>(failures, () => LoadScaler(folder));
        var resolved = Attempt(failures, () => ResolveModel(folder));
        var loadedPolicy = resolved is null ? null : Attempt(failures, () => OnnxPolicy.Load(resolved));
        if (failures.Count > 0)
        {
            loadedPolicy?.Dispose();
            throw failures.Count == 1 ? failures[0] : new AfmlException(failures[0].ErrorId, failures[0].Category,
                $"Training '{trainId}' has {failures.Count} problems:{Environment.NewLine}  - " + string.Join(Environment.NewLine + "  - ", failures.Select(f => f.Message)),
                failures[0].Target, new AggregateException(failures));
        }
        var (scaler, scalerPath) = scalerFile!.Value;
        var config = loadedConfig!;
        var modelPath = resolved!;
        var policy = loadedPolicy!;
        try
        {
            var problems = CheckConsistency(config, scaler, scalerPath, policy.Shape, modelPath);
            if (problems.Count > 0)
                throw new AfmlException("TrainingMismatch", AfmlErrorCategory.InvalidData,
                    $"Training '{trainId}' is inconsistent; refusing to trade on it:{Environment.NewLine}  - " + string.Join(Environment.NewLine + "  - ", problems), folder.Directory);
            if (ParityGate.Run(folder, policy, scaler.FeatureNames) is { Passed: false } parity)
                throw ParityFailure(folder, modelPath, parity);
            var actor = ActorKernelGate.Choose(policy, modelPath, folder, out var verdict);
            return new LoadedTraining(folder, config, scaler, scalerPath, actor, modelPath) { Actor = verdict };
        }
        catch
        {
            policy.Dispose();
            throw;
        }
    }

    private static T? Attempt<T>(List<AfmlException> failures, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (AfmlException ex)
        {
            failures.Add(ex);
            return default;
        }
    }

    /// <summary>The scaler and the file it came from: <c>scaler_train.json</c> if present, else <c>scaler_train.pkl</c>.</summary>
    public static (StandardScalerParams Scaler, string Path) LoadScaler(TrainingFolder folder)
    {
        if (File.Exists(folder.ScalerJsonPath)) return (ScalerJsonReader.Read(folder.ScalerJsonPath), folder.ScalerJsonPath);
        if (File.Exists(folder.ScalerPicklePath)) return (ScalerPickleReader.Read(folder.ScalerPicklePath), folder.ScalerPicklePath);
        throw new AfmlException("ScalerNotFound", AfmlErrorCategory.ObjectNotFound,
            $"Scaler no encontrado: neither '{folder.ScalerJsonPath}' nor '{folder.ScalerPicklePath}' exists; verify the training finished.", folder.ScalerJsonPath);
    }

    /// <summary>The ONNX to run: <c>modelo.onnx</c> if present, else <c>modelo.zip</c> converted to its cached ONNX.</summary>
    public static string ResolveModel(TrainingFolder folder)
    {
        if (File.Exists(folder.OnnxPath)) return folder.OnnxPath;
        if (File.Exists(folder.ZipPath)) return ModelZipConverter.Convert(folder.ZipPath).OnnxPath;
        throw new AfmlException("ModelNotFound", AfmlErrorCategory.ObjectNotFound,
            $"Modelo no encontrado: neither '{folder.OnnxPath}' nor '{folder.ZipPath}' exists.", folder.ZipPath);
    }

    internal static AfmlException ParityFailure(TrainingFolder folder, string modelPath, ParityResult parity) =>
        new("ParityGateFailed", AfmlErrorCategory.InvalidData,
            $"Training '{folder.TrainId}': {Path.GetFileName(modelPath)} does not reproduce the trainer's actions on golden/ — step {parity.WorstStep} differs by " +
            $"{parity.MaxDifference.ToString("E2", System.Globalization.CultureInfo.InvariantCulture)} (tolerance {parity.Tolerance.ToString("E0", System.Globalization.CultureInfo.InvariantCulture)} over {parity.Observations} observations); refusing to trade on it.",
            modelPath);

    /// <summary>Every way config, scaler and model can disagree, all reported together.</summary>
    public static IReadOnlyList<string> CheckConsistency(TrainingConfig config, StandardScalerParams scaler, string scalerPath, PolicyShape shape, string modelPath)
    {
        var problems = new List<string>();
        var expected = config.Indicators.FrameColumns;
        var names = scaler.FeatureNames;
        var unknown = names.Except(expected).ToArray();
        var absent = expected.Except(names).ToArray();
        if (unknown.Length > 0)
            problems.Add($"{Path.GetFileName(scalerPath)} has feature(s) the config's indicators do not produce: {string.Join(", ", unknown)} (config produces {string.Join(", ", expected)})");
        if (absent.Length > 0)
            problems.Add($"{Path.GetFileName(scalerPath)} lacks feature(s) the config's indicators produce: {string.Join(", ", absent)}");
        // mean[i] and scale[i] belong to the i-th column the trainer produced: names in another order would scale
        // each feature with another's statistics.
        if (unknown.Length == 0 && absent.Length == 0 && !names.SequenceEqual(expected, StringComparer.Ordinal))
        {
            var at = Enumerable.Range(0, names.Count).First(i => names[i] != expected[i]);
            problems.Add($"{Path.GetFileName(scalerPath)}: feature_names are not in the order the features are produced: position {at} is '{names[at]}', expected '{expected[at]}' (order: {string.Join(", ", expected)})");
        }
        if (shape.Window != config.Environment.WindowSize)
            problems.Add($"{Path.GetFileName(modelPath)}: input 'market' has window {shape.Window}, config entorno.window_size is {config.Environment.WindowSize}");
        if (shape.Features != names.Count)
            problems.Add($"{Path.GetFileName(modelPath)}: input 'market' has {shape.Features} features, the scaler has {names.Count}");
        if (shape.PortfolioSize != 3)
            problems.Add($"{Path.GetFileName(modelPath)}: input 'portfolio' has {shape.PortfolioSize} values; the training env's portfolio observation has 3");
        return problems;
    }
}
