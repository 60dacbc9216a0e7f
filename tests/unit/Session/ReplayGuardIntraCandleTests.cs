using System.Globalization;
using Afml.Core.Recording;
using Afml.Core.Session;
using Afml.Tests.Agent;
using Xunit.Abstractions;

namespace Afml.Tests.Session;

/// <summary>
/// Replay <c>-GuardIntraCandle</c>: the simulated guard on each candle's high and low. A synthetic crash candle (its low
/// through the limit, its close untouched) is closed inside the candle at the stop price plus slippage and ends in the
/// emergency protocol; without the switch the same file replays as training does, close only.
/// </summary>
public class ReplayGuardIntraCandleTests(ITestOutputHelper output)
{
    private static readonly string Candles = Path.Combine(TestData.SharedDir, "data", "BTCUSDT-1h.csv");
    private const int Steps = 120;

    [Fact]
    public async Task A_crash_inside_a_candle_closes_at_the_stop_price_plus_slippage_only_with_the_switch()
    {
        var trace = GoldenTable.Load(Path.Combine(TestData.GoldenDir, "trace.csv"));
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var from = DateTimeOffset.FromUnixTimeMilliseconds(trace.Long(0, "open_time"));
        var options = h.Options(Candles) with { From = from, MaxSteps = Steps };

        // The training's run, close only: which candle comes while a long is open, and the book before it.
        var plain = RegistroReader.Read((await h.RunAsync(options)).RegistroPath).ToList();
        var k = Enumerable.Range(20, Steps - 21).First(i => plain[i - 1].PosicionAbierta && plain[i - 1].TipoPosicionActiva == "long" && plain[i].PosicionAbierta);
        var before = plain[k - 1];
        var limit = 0.2595079825048034; // max_drawdown_permitido of the fixture
        var slippage = 0.001;
        var price = (double)(float)before.Precio;
        var unrealised = (price - before.PrecioEntradaActiva!.Value) * before.CantidadActiva!.Value;
        var peak = before.Equity / (1 - before.MaxDrawdown);
        var stop = before.PrecioEntradaActiva.Value + (peak * (1 - limit) - (before.Equity - unrealised)) / before.CantidadActiva.Value;

        // The same file with candle k's low pushed through the stop (high, open and close untouched).
        var crashFile = Path.Combine(h.Root, "crash.csv");
        var lines = File.ReadAllLines(Candles);
        var crashOpen = plain[k].OpenTime!.Value.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var idx = Array.FindIndex(lines, l => l.StartsWith(crashOpen + ",", StringComparison.Ordinal));
        var f = lines[idx].Split(',');
        f[3] = (stop * 0.97).ToString("R", CultureInfo.InvariantCulture);
        lines[idx] = string.Join(',', f);
        File.WriteAllLines(crashFile, lines);

        var guarded = await h.RunAsync(options with { ReplayPath = crashFile, GuardIntraCandle = true });
        var unguarded = await h.RunAsync(options with { ReplayPath = crashFile });
        var g = RegistroReader.Read(guarded.RegistroPath).ToList();
        var u = RegistroReader.Read(unguarded.RegistroPath).ToList();
        output.WriteLine(FormattableString.Invariant($"crash at step {k + 1} ({plain[k].OpenTime:O}): stop {stop:F2}, low {stop * 0.97:F2}, guarded close {g[^1].Precio:F2}, expected {stop * (1 - slippage):F2}; guarded rows {g.Count}, unguarded rows {u.Count}"));

        // With the switch: the same decisions up to the crash, then the guard's close inside candle k.
        Assert.Equal(SessionStopReason.Emergency, guarded.StopReason);
        Assert.Equal(k + 1, g.Count);
        for (var i = 0; i < k; i++) Assert.Equal(plain[i].Operacion, g[i].Operacion);
        var row = g[^1];
        Assert.Equal(TradingSession.EmergencyActionType, row.TipoAccion);
        Assert.Contains("monitor entre velas", row.Error, StringComparison.Ordinal);
        Assert.Equal(stop * (1 - slippage), row.Precio, 6);
        Assert.False(row.PosicionAbierta);
        // The equity it ends with is the limit's, less the slippage and costs: never below what the limit allows by more.
        Assert.InRange((peak - row.Equity) / peak, limit, limit + 0.02);
        // Without it: close only, as training; the crash candle's close is untouched, so it is decided on like any other.
        Assert.NotEqual(SessionStopReason.Emergency, unguarded.StopReason);
        Assert.Equal(Steps, u.Count);
        for (var i = 0; i <= k; i++) Assert.Equal(plain[i].Operacion, u[i].Operacion);
    }

    [Fact]
    public async Task Without_the_switch_a_replay_is_the_golden_trace_step_for_step()
    {
        var trace = GoldenTable.Load(Path.Combine(TestData.GoldenDir, "trace.csv"));
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var options = h.Options(Candles) with { From = DateTimeOffset.FromUnixTimeMilliseconds(trace.Long(0, "open_time")), MaxSteps = 300, GuardIntraCandle = false };
        SessionHost? host = null;
        var summary = await h.RunAsync(options, started: s => host = s);
        Assert.Null(host!.Parts.Marks); // no mark source at all: nothing runs between candles
        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        Assert.Equal(300, rows.Count);
        for (var k = 0; k < 300; k++)
        {
            var expected = trace.Text(k, "op_operacion");
            Assert.Equal(expected.Length == 0 ? "mantener" : expected, rows[k].Operacion);
        }
    }
}
