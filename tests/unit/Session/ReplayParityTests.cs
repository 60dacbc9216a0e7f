using Afml.Core.Agent;
using Afml.Core.Recording;
using Afml.Core.Session;
using Afml.Tests.Agent;
using Xunit.Abstractions;

namespace Afml.Tests.Session;

/// <summary>
/// The offline replay decides as the trained agent did: on the trace's 300 candles the session makes the
/// training env's sequence of operations, and its book follows the env's balance.
/// </summary>
public class ReplayParityTests(ITestOutputHelper output)
{
    private static readonly string Candles = Path.Combine(TestData.SharedDir, "data", "BTCUSDT-1h.csv");

    [Fact]
    public async Task Replay_with_the_onnx_agent_makes_the_traces_operations()
    {
        var trace = GoldenTable.Load(Path.Combine(TestData.GoldenDir, "trace.csv"));
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var options = h.Options(Candles) with { From = DateTimeOffset.FromUnixTimeMilliseconds(trace.Long(0, "open_time")), MaxSteps = 300 };
        var summary = await h.RunAsync(options);

        Assert.Equal(300, summary.Steps);
        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        Assert.Equal(300, rows.Count);
        double worst = 0;
        for (var k = 0; k < 300; k++)
        {
            var expectedOp = trace.Text(k, "op_operacion");
            Assert.True((expectedOp.Length == 0 ? "mantener" : expectedOp) == rows[k].Operacion, $"step {k}: expected '{expectedOp}', got '{rows[k].Operacion}'");
            Assert.Equal(trace.Long(k, "open_time"), rows[k].OpenTime!.Value.ToUnixTimeMilliseconds());
            var rel = Math.Abs(rows[k].Balance - trace.Double(k, "pf_balance")) / trace.Double(k, "pf_equity");
            worst = Math.Max(worst, rel);
            Assert.True(rel <= 1e-4, $"step {k}: balance {rows[k].Balance} vs {trace.Double(k, "pf_balance")}");
            Assert.Equal(trace.Text(k, "pf_posicion_abierta") == "true", rows[k].PosicionAbierta);
        }
        output.WriteLine($"max |Δbalance| / equity over 300 steps: {worst:E2}");
    }

    [Fact]
    public async Task Replay_driven_by_the_traces_actions_books_the_envs_balance()
    {
        var trace = GoldenTable.Load(Path.Combine(TestData.GoldenDir, "trace.csv"));
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var options = h.Options(Candles) with { From = DateTimeOffset.FromUnixTimeMilliseconds(trace.Long(0, "open_time")), MaxSteps = 300 };
        var actions = Enumerable.Range(0, 300).Select(k => (float)trace.Double(k, "action")).ToArray();
        var summary = await h.RunAsync(options, p => p with { Policy = new ScriptedPolicy(p.Policy.Shape, actions) });

        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        double worst = 0;
        for (var k = 0; k < 300; k++)
        {
            var rel = Math.Abs(rows[k].Balance - trace.Double(k, "pf_balance")) / trace.Double(k, "pf_equity");
            worst = Math.Max(worst, rel);
            Assert.Equal(trace.Double(k, "action"), rows[k].Action);
        }
        Assert.True(worst <= 1e-9, $"max |Δbalance| / equity = {worst:E2}");
        output.WriteLine($"scripted actions: max |Δbalance| / equity = {worst:E2}");
    }

    [Fact]
    public async Task Default_from_is_the_first_candle_with_every_feature_and_the_whole_window()
    {
        var trace = GoldenTable.Load(Path.Combine(TestData.GoldenDir, "trace.csv"));
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var summary = await h.RunAsync(h.Options(Candles) with { MaxSteps = 1 });
        Assert.Equal(trace.Long(0, "open_time"), summary.FirstCandle!.Value.ToUnixTimeMilliseconds());
    }
}

/// <summary>A policy that plays back given actions, one per call.</summary>
internal sealed class ScriptedPolicy(PolicyShape shape, float[] actions) : IPolicy
{
    private int _next;
    public PolicyShape Shape { get; } = shape;
    public float Predict(ReadOnlySpan<float> market, ReadOnlySpan<float> portfolio) => actions[_next++];
    public void Dispose() { }
}
