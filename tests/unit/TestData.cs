namespace Afml.Tests;

/// <summary>Locates the steering repo's <c>shared/</c> folder (fixtures and data), which CI keeps beside the repo.
/// Set <c>AFML_SHARED</c> to point elsewhere.</summary>
public static class TestData
{
    public static string SharedDir { get; } = LocateShared();

    public static string FixtureTrainingDir { get; } = Path.Combine(
        SharedDir, "fixtures", "entrenamientos", "train_BTCUSDT_20230101_20241231_lr0.0003_bs256_ws30_20261124_221259");

    private static string LocateShared()
    {
        var fromEnv = Environment.GetEnvironmentVariable("AFML_SHARED");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return Directory.Exists(Path.Combine(fromEnv, "fixtures"))
                ? Path.GetFullPath(fromEnv)
                : throw new DirectoryNotFoundException($"AFML_SHARED='{fromEnv}' has no 'fixtures' folder.");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "fixtures"))) return candidate;
        }

        throw new DirectoryNotFoundException(
            $"No 'shared/fixtures' folder above {AppContext.BaseDirectory}: the tests expect the steering repo's shared/ " +
            "beside the repository (../shared), or AFML_SHARED set to it.");
    }
}
