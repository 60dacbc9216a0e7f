using System.Globalization;
using Afml.Core;
using Afml.Core.Agent;

namespace Afml.Tests.Agent;

/// <summary>A training folder with only the trainer's own files (modelo.zip, scaler_train.pkl) loads; golden
/// observations gate the model; every mismatch is a specific error; Test-AfmlTraining's report never throws.</summary>
public class TrainingResolutionTests
{
    [Fact]
    public void Trainer_files_alone_load_and_pass_the_parity_gate()
    {
        using var t = new TrainingCopy();
        File.Delete(t.PathOf("modelos/modelo.onnx"));
        File.Delete(t.PathOf("scaler_train.json"));
        using var loaded = TrainingLoader.Load(t.Root, t.TrainId);
        Assert.Equal(t.PathOf("modelos/modelo.zip.onnx"), loaded.ModelPath);
        Assert.Equal(t.PathOf("scaler_train.pkl"), loaded.ScalerPath);
        Assert.True(File.Exists(t.PathOf("modelos/modelo.zip.onnx.sha256")));
        Assert.Equal(16, loaded.Scaler.FeatureCount);
    }

    [Fact]
    public void Exported_onnx_and_json_win_when_present()
    {
        using var t = new TrainingCopy(golden: false);
        using var loaded = TrainingLoader.Load(t.Root, t.TrainId);
        Assert.Equal(t.PathOf("modelos/modelo.onnx"), loaded.ModelPath);
        Assert.Equal(t.PathOf("scaler_train.json"), loaded.ScalerPath);
        Assert.False(File.Exists(t.PathOf("modelos/modelo.zip.onnx")));
    }

    [Fact]
    public void A_model_that_does_not_reproduce_the_golden_actions_is_refused()
    {
        using var t = new TrainingCopy();
        ShiftGoldenAction(t, step: 7, by: 1e-3);
        var ex = Assert.Throws<AfmlException>(() => TrainingLoader.Load(t.Root, t.TrainId));
        Assert.Equal("ParityGateFailed", ex.ErrorId);
        Assert.Contains("step 7", ex.Message);
        Assert.Contains("modelo.onnx", ex.Message);
    }

    [Fact]
    public void Mismatched_feature_names_are_reported_naming_the_scaler_file()
    {
        using var t = new TrainingCopy(golden: false);
        var json = t.PathOf("scaler_train.json");
        File.WriteAllText(json, File.ReadAllText(json).Replace("\"RSI_14\"", "\"RSI_21\""));
        var ex = Assert.Throws<AfmlException>(() => TrainingLoader.Load(t.Root, t.TrainId));
        Assert.Equal("TrainingMismatch", ex.ErrorId);
        Assert.Contains("scaler_train.json has feature(s) the config's indicators do not produce: RSI_21", ex.Message);
        Assert.Contains("scaler_train.json lacks feature(s) the config's indicators produce: RSI_14", ex.Message);
    }

    [Fact]
    public void A_corrupt_zip_with_no_export_is_a_zip_error_naming_the_file()
    {
        using var t = new TrainingCopy(golden: false);
        File.Delete(t.PathOf("modelos/modelo.onnx"));
        var zip = t.PathOf("modelos/modelo.zip");
        File.WriteAllBytes(zip, File.ReadAllBytes(zip)[..5000]);
        var ex = Assert.Throws<AfmlException>(() => TrainingLoader.Load(t.Root, t.TrainId));
        Assert.Equal("ModelZipInvalid", ex.ErrorId);
        Assert.Contains(zip, ex.Message);
    }

    [Fact]
    public void Neither_model_file_is_model_not_found()
    {
        using var t = new TrainingCopy(golden: false);
        File.Delete(t.PathOf("modelos/modelo.onnx"));
        File.Delete(t.PathOf("modelos/modelo.zip"));
        var ex = Assert.Throws<AfmlException>(() => TrainingLoader.Load(t.Root, t.TrainId));
        Assert.Equal("ModelNotFound", ex.ErrorId);
        Assert.Contains("modelo.zip", ex.Message);
    }

    [Fact]
    public void Report_passes_every_check_on_the_fixture()
    {
        using var t = new TrainingCopy();
        var report = TrainingInspector.Inspect(t.Root, t.TrainId);
        Assert.True(report.Passed, string.Join("\n", report.Failures.Select(f => $"{f.Name}: {f.Message}")));
        Assert.Equal(["Config", "Scaler", "ScalerPickleMatchesJson", "ModelFile", "ModelLoads", "Consistency", "ParityGate"], report.Checks.Select(c => c.Name));
        Assert.All(report.Checks, c => Assert.Equal(TrainingCheckStatus.Passed, c.Status));
        Assert.Contains("300 golden actions", report.Checks[^1].Message);
    }

    [Fact]
    public void Report_lists_failures_without_throwing()
    {
        using var t = new TrainingCopy();
        ShiftGoldenAction(t, step: 3, by: 0.5);
        var json = t.PathOf("scaler_train.json");
        File.WriteAllText(json, File.ReadAllText(json).Replace("\"open\"", "\"opn\""));
        var report = TrainingInspector.Inspect(t.Root, t.TrainId);
        Assert.False(report.Passed);
        var byName = report.Checks.ToDictionary(c => c.Name);
        Assert.Equal(TrainingCheckStatus.Failed, byName["ScalerPickleMatchesJson"].Status);
        Assert.Equal(TrainingCheckStatus.Failed, byName["Consistency"].Status);
        Assert.Equal("TrainingMismatch", byName["Consistency"].ErrorId);
        Assert.Equal(TrainingCheckStatus.Skipped, byName["ParityGate"].Status);

        File.WriteAllText(json, File.ReadAllText(json).Replace("\"opn\"", "\"open\""));
        report = TrainingInspector.Inspect(t.Root, t.TrainId);
        Assert.Equal("ParityGateFailed", report.Checks.Single(c => c.Name == "ParityGate").ErrorId);
    }

    private static void ShiftGoldenAction(TrainingCopy t, int step, double by)
    {
        var path = t.PathOf("golden/trace.csv");
        var lines = File.ReadAllLines(path);
        var col = Array.IndexOf(lines[0].Split(','), "action_tanh");
        var fields = lines[step + 1].Split(',');
        fields[col] = (double.Parse(fields[col], CultureInfo.InvariantCulture) + by).ToString("R", CultureInfo.InvariantCulture);
        lines[step + 1] = string.Join(',', fields);
        File.WriteAllLines(path, lines);
    }
}
