using Afml.Core.Recording;
using Afml.Tests.Agent;

namespace Afml.Tests.Session;

/// <summary>A session on the trainer's own files (modelo.zip, scaler_train.pkl) replays exactly like one on the
/// exported modelo.onnx and scaler_train.json.</summary>
public class TrainerFilesReplayTests
{
    private static readonly string Candles = Path.Combine(TestData.SharedDir, "data", "BTCUSDT-1h.csv");

    [Fact]
    public async Task Replay_without_the_exports_is_identical()
    {
        var trace = GoldenTable.Load(Path.Combine(TestData.GoldenDir, "trace.csv"));
        var from = DateTimeOffset.FromUnixTimeMilliseconds(trace.Long(0, "open_time"));
        using var exported = new SessionHarness(TestData.FixtureTrainingDir);
        using var trainer = new SessionHarness(TestData.FixtureTrainingDir);
        File.Delete(Path.Combine(trainer.TrainingDir, "modelos", "modelo.onnx"));
        File.Delete(Path.Combine(trainer.TrainingDir, "scaler_train.json"));

        var a = await exported.RunAsync(exported.Options(Candles) with { From = from, MaxSteps = 300 });
        var b = await trainer.RunAsync(trainer.Options(Candles) with { From = from, MaxSteps = 300 });

        Assert.True(File.Exists(Path.Combine(trainer.TrainingDir, "modelos", "modelo.zip.onnx")));
        var ra = RegistroReader.Read(a.RegistroPath).ToList();
        var rb = RegistroReader.Read(b.RegistroPath).ToList();
        Assert.Equal(300, ra.Count);
        Assert.Equal(ra.Count, rb.Count);
        for (var k = 0; k < ra.Count; k++)
        {
            Assert.Equal(ra[k].Action, rb[k].Action);
            Assert.Equal(ra[k].Operacion, rb[k].Operacion);
            Assert.Equal(ra[k].Balance, rb[k].Balance);
            Assert.Equal(ra[k].Equity, rb[k].Equity);
            Assert.Equal(ra[k].OpenTime, rb[k].OpenTime);
        }
    }
}
