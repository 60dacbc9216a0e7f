namespace Afml.Tests.Agent;

/// <summary>A private copy of the fixture training (config, scalers, modelos, and the golden files the parity gate reads).</summary>
internal sealed class TrainingCopy : IDisposable
{
    public TrainingCopy(bool golden = true)
    {
        Root = Directory.CreateTempSubdirectory("afml-training-").FullName;
        TrainId = Path.GetFileName(TestData.FixtureTrainingDir);
        var src = TestData.FixtureTrainingDir;
        Directory.CreateDirectory(Path.Combine(Dir, "modelos"));
        foreach (var f in new[] { "config_metadata.yaml", "scaler_train.json", "scaler_train.pkl", "modelos/modelo.onnx", "modelos/modelo.zip" })
            File.Copy(Path.Combine(src, f), Path.Combine(Dir, f));
        if (golden)
        {
            Directory.CreateDirectory(Path.Combine(Dir, "golden"));
            foreach (var f in new[] { "obs_market.csv", "obs_portfolio.csv", "trace.csv" })
                File.Copy(Path.Combine(src, "golden", f), Path.Combine(Dir, "golden", f));
        }
    }

    public string Root { get; }
    public string TrainId { get; }
    public string Dir => Path.Combine(Root, TrainId);

    public string PathOf(string relative) => Path.Combine(Dir, relative);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
