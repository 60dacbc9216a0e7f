using System.Globalization;
using Afml.Core.Configuration;

namespace Afml.Core.Agent;

/// <summary>
/// Runs the same checks as <see cref="TrainingLoader.Load"/> but reports each one instead of stopping at the first
/// failure: config, scaler (and .pkl vs .json agreement when both exist), model, consistency, golden parity.
/// </summary>
public static class TrainingInspector
{
    public static TrainingReport Inspect(string root, string trainId)
    {
        var folder = TrainingFolder.Open(root, trainId);
        var checks = new List<TrainingCheck>();

        var config = Attempt(checks, "Config", () => TrainingConfigLoader.Load(folder), _ => $"{TrainingFolder.ConfigFileName} read");
        if (config is { Warnings.Count: > 0 })
            checks.Add(new TrainingCheck("ConfigWarnings", TrainingCheckStatus.Warning, string.Join("; ", config.Warnings)));
        var scaler = Attempt<(StandardScalerParams Scaler, string Path)?>(checks, "Scaler", () => TrainingLoader.LoadScaler(folder),
            s => $"{Path.GetFileName(s!.Value.Path)}: {s.Value.Scaler.FeatureCount} features");
        if (File.Exists(folder.ScalerJsonPath) && File.Exists(folder.ScalerPicklePath))
            Attempt(checks, "ScalerPickleMatchesJson", () => ComparePickle(folder), m => m);
        else
            checks.Add(new TrainingCheck("ScalerPickleMatchesJson", TrainingCheckStatus.Skipped, "only one of scaler_train.json / scaler_train.pkl exists"));

        var modelPath = Attempt(checks, "ModelFile", () => TrainingLoader.ResolveModel(folder), p => Describe(folder, p));
        using var policy = modelPath is null ? null : Attempt(checks, "ModelLoads", () => OnnxPolicy.Load(modelPath),
            p => $"inputs market [{p.Shape.Window}×{p.Shape.Features}], portfolio [{p.Shape.PortfolioSize}]");

        if (config is not null && scaler is not null && policy is not null && modelPath is not null)
        {
            var problems = TrainingLoader.CheckConsistency(config, scaler.Value.Scaler, scaler.Value.Path, policy.Shape, modelPath);
            checks.Add(problems.Count == 0
                ? new TrainingCheck("Consistency", TrainingCheckStatus.Passed, "scaler features = config indicators; model inputs = window × features and 3")
                : new TrainingCheck("Consistency", TrainingCheckStatus.Failed, string.Join("; ", problems), "TrainingMismatch"));
            if (problems.Count == 0)
                Parity(checks, folder, policy, scaler.Value.Scaler, modelPath);
            else
                checks.Add(new TrainingCheck("ParityGate", TrainingCheckStatus.Skipped, "skipped: the training is inconsistent"));
        }
        else
        {
            checks.Add(new TrainingCheck("Consistency", TrainingCheckStatus.Skipped, "skipped: config, scaler or model did not load"));
            checks.Add(new TrainingCheck("ParityGate", TrainingCheckStatus.Skipped, "skipped: config, scaler or model did not load"));
        }
        return new TrainingReport(trainId, folder.Directory, modelPath, scaler?.Path, checks);
    }

    private static void Parity(List<TrainingCheck> checks, TrainingFolder folder, IPolicy policy, StandardScalerParams scaler, string modelPath)
    {
        if (!ParityGate.HasGolden(folder))
        {
            checks.Add(new TrainingCheck("ParityGate", TrainingCheckStatus.Skipped, "no golden/ observations in the training folder"));
            return;
        }
        Attempt(checks, "ParityGate", () =>
        {
            var r = ParityGate.Run(folder, policy, scaler.FeatureNames)!;
            return r.Passed ? r : throw TrainingLoader.ParityFailure(folder, modelPath, r);
        }, r => $"{r.Observations} golden actions reproduced, max |Δ| {r.MaxDifference.ToString("E2", CultureInfo.InvariantCulture)} ≤ {r.Tolerance.ToString("E0", CultureInfo.InvariantCulture)}");
    }

    private static string Describe(TrainingFolder folder, string path) =>
        path == folder.OnnxPath ? $"{TrainingFolder.OnnxFileName} (exported)" : $"{TrainingFolder.ZipFileName} converted to {path}";

    private static string ComparePickle(TrainingFolder folder)
    {
        var json = ScalerJsonReader.Read(folder.ScalerJsonPath);
        var pkl = ScalerPickleReader.Read(folder.ScalerPicklePath);
        static bool Same(double[] a, double[] b) => a.Length == b.Length && a.Zip(b).All(x => BitConverter.DoubleToInt64Bits(x.First) == BitConverter.DoubleToInt64Bits(x.Second));
        if (!json.FeatureNames.SequenceEqual(pkl.FeatureNames) || !Same(json.Mean, pkl.Mean) || !Same(json.Scale, pkl.Scale))
            throw new AfmlException("ScalerPickleMismatch", AfmlErrorCategory.InvalidData,
                $"{folder.ScalerJsonPath} and {folder.ScalerPicklePath} disagree (feature names, mean or scale); the JSON is what a session uses.", folder.ScalerJsonPath);
        return "scaler_train.pkl equals scaler_train.json bit for bit";
    }

    private static T? Attempt<T>(List<TrainingCheck> checks, string name, Func<T> action, Func<T, string> describe)
    {
        try
        {
            var value = action();
            checks.Add(new TrainingCheck(name, TrainingCheckStatus.Passed, describe(value)));
            return value;
        }
        catch (AfmlException ex)
        {
            checks.Add(new TrainingCheck(name, TrainingCheckStatus.Failed, ex.Message, ex.ErrorId));
            return default;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // a file that vanished or is locked between the existence check and the read: a failed check, not a crash
            checks.Add(new TrainingCheck(name, TrainingCheckStatus.Failed, ex.Message, "TrainingFileUnreadable"));
            return default;
        }
    }
}
