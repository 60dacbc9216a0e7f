namespace Afml.Tests;
public static class TestData
{
    /// <summary>The steering repo's shared/ folder (fixtures, data, docs), beside the repo root.</summary>
    public static string SharedDir { get; } = Locate();
    public static string FixtureTrainingDir => Path.Combine(SharedDir, "fixtures", "entrenamientos", "train_BTCUSDT_20230101_20241231_lr0.0003_bs256_ws30_20261124_221259");
    public static string GoldenDir => Path.Combine(FixtureTrainingDir, "golden");
    private static string Locate()
    {
        var env = Environment.GetEnvironmentVariable("AFML_SHARED");
        if (!string.IsNullOrEmpty(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures");
            if (Directory.Exists(candidate)) return Path.Combine(dir.FullName, "shared");
        }
        throw new DirectoryNotFoundException("shared/ (fixtures) not found above " + AppContext.BaseDirectory + "; set AFML_SHARED");
    }
}
