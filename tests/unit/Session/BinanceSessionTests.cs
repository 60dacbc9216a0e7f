using Afml.Core.Recording;
using Afml.Core.Session;
using Afml.Tests.Agent;
using Xunit.Abstractions;

namespace Afml.Tests.Session;

/// <summary>Whole sessions against the fake Binance over real HTTP/WebSocket.</summary>
public class BinanceSessionTests(ITestOutputHelper output)
{
    private const int First = 18_000, History = 600, Steps = 40;

    [Fact]
    public async Task Testnet_session_downloads_history_streams_candles_places_signed_orders_and_writes_the_registro()
    {
        await using var s = await FakeVenueSession.StartAsync(First, History, Steps);
        var summary = await s.RunAsync(s.Options(VenueKind.Testnet, Steps), Steps);
        foreach (var l in s.Events.OfType<SessionLog>().Take(8)) output.WriteLine(l.Message);

        Assert.Equal(SessionStopReason.MaxSteps, summary.StopReason);
        Assert.Equal(Steps, summary.Steps);
        Assert.Equal("binance-testnet", summary.Venue);
        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        Assert.Equal(Steps, rows.Count);
        Assert.Equal(s.Slice.Skip(History).Take(Steps).Select(c => c.OpenTime), rows.Select(r => r.OpenTime!.Value.ToUnixTimeMilliseconds()));
        var orders = s.Fake.RequestLog.For("POST /fapi/v1/order").ToList();
        Assert.NotEmpty(orders);
        Assert.All(orders, o => Assert.True(o.SignatureValid == true));
        Assert.Equal(summary.OrdersFilled, s.Fake.Orders.Count);
        output.WriteLine($"{summary.OrdersFilled} orders, ops: {string.Join(", ", summary.Operations.Select(kv => $"{kv.Key}={kv.Value}"))}");
    }
}

/// <summary>Live decisions are the trained decisions: inside the golden trace's period, fed the same candles from the
/// start of the data file (so every indicator is warmed exactly as the training frame's), a paper session makes the
/// offline replay's operations, which are the training env's (golden/trace.csv), and books the replay's balances row
/// by row over the whole trace. A testnet session books real fills and the venue's commission on every fill (the env
/// charges none on a full close), so its book drifts from the env's; it makes the same operations over the trace's
/// first <see cref="TestnetSteps"/> candles (its first difference, a decision flipped by that drift, comes at 178).</summary>
public class LiveParityTests(ITestOutputHelper output)
{
    // The trace's first decision candle is row 228 of the data file (SMA 200 warm-up + the 30-candle window − 1):
    // the fake serves the file from its first candle, 228 of them already closed, then the trace's 300 candles.
    private const int First = 0, History = 228, Steps = 300, TestnetSteps = 150;
    private static readonly GoldenTable Trace = GoldenTable.Load(Path.Combine(TestData.GoldenDir, "trace.csv"));

    private static async Task<List<RegistroRow>> ReplayAsync(FakeVenueSession s, int steps = Steps)
    {
        var replay = await s.Harness.RunAsync(s.Harness.Options(s.WriteSliceCsv()) with
        {
            From = DateTimeOffset.FromUnixTimeMilliseconds(s.Slice[History].OpenTime),
            MaxSteps = steps,
        });
        return RegistroReader.Read(replay.RegistroPath).ToList();
    }

    /// <summary>The slice the fake serves is the trace's period, and the rows are the trace's steps and operations.</summary>
    private static void AssertTracesOperations(FakeVenueSession s, IReadOnlyList<RegistroRow> rows, int steps = Steps)
    {
        Assert.Equal(Trace.Long(0, "open_time"), s.Slice[History].OpenTime);
        Assert.Equal(steps, rows.Count);
        for (var k = 0; k < steps; k++)
        {
            var expectedOp = Trace.Text(k, "op_operacion") is { Length: > 0 } op ? op : "mantener";
            Assert.Equal(Trace.Long(k, "open_time"), rows[k].OpenTime!.Value.ToUnixTimeMilliseconds());
            Assert.True(expectedOp == rows[k].Operacion, $"step {k}: the training env did '{expectedOp}', the session '{rows[k].Operacion}'");
        }
    }

    [Fact]
    public async Task Paper_session_makes_the_replays_operations_and_balances()
    {
        await using var s = await FakeVenueSession.StartAsync(First, History, Steps);
        var expected = await ReplayAsync(s);
        var paper = await s.RunAsync(s.Options(VenueKind.Paper, Steps), Steps);
        var rows = RegistroReader.Read(paper.RegistroPath).ToList();
        Assert.Equal("paper", paper.Venue);
        Assert.Empty(s.Fake.RequestLog.For("POST /fapi/v1/order")); // paper never sends an order
        AssertTracesOperations(s, expected);
        AssertTracesOperations(s, rows);
        // Row by row, the paper book is the replay's book: same action, prices, balance, equity, drawdown, PnL and
        // position, to the last bit (both book at the training's float32 closes with the config's costs).
        Assert.Equal(expected.Count, rows.Count);
        for (var k = 0; k < rows.Count; k++)
        {
            var (e, a) = (expected[k], rows[k]);
            Assert.True(e.Action.Equals(a.Action), $"step {k}: action {a.Action} vs replay {e.Action}");
            Assert.True(e.Precio.Equals(a.Precio), $"step {k}: price {a.Precio} vs replay {e.Precio}");
            Assert.True(e.Balance.Equals(a.Balance), $"step {k}: balance {a.Balance} vs replay {e.Balance}");
            Assert.True(e.Equity.Equals(a.Equity), $"step {k}: equity {a.Equity} vs replay {e.Equity}");
            Assert.True(e.MaxDrawdown.Equals(a.MaxDrawdown), $"step {k}: drawdown {a.MaxDrawdown} vs replay {e.MaxDrawdown}");
            Assert.True(e.PnlTotal.Equals(a.PnlTotal), $"step {k}: pnl_total {a.PnlTotal} vs replay {e.PnlTotal}");
            Assert.Equal(e.PosicionAbierta, a.PosicionAbierta);
            Assert.Equal(e.TipoPosicionActiva, a.TipoPosicionActiva);
            Assert.Equal(e.CantidadActiva, a.CantidadActiva);
            Assert.Equal(e.PrecioEntradaActiva, a.PrecioEntradaActiva);
            Assert.Equal(e.Comision, a.Comision);
        }
        // And the training env's balance, within what ONNX Runtime's ~1e-6 action differences move it
        // (as ReplayParityTests allows for the replay).
        var worst = Enumerable.Range(0, Steps).Max(k => Math.Abs(rows[k].Balance - Trace.Double(k, "pf_balance")) / Trace.Double(k, "pf_equity"));
        output.WriteLine($"paper vs trace: max |Δbalance| / equity over {Steps} steps: {worst:E2}");
        Assert.True(worst <= 1e-4, $"max |Δbalance| / equity vs the trace = {worst:E2}");
    }

    [Fact]
    public async Task Testnet_session_makes_the_replays_operations()
    {
        // The fake charges the config's commission and fills at the close, with fine lot steps so that rounding
        // does not move the book away from training's sizes more than a fill would.
        await using var s = await FakeVenueSession.StartAsync(First, History, TestnetSteps, o => o with
        {
            TakerCommissionRate = 0.001m,
            Symbol = Afml.FakeBinance.FakeSymbolRules.BtcUsdt with { StepSize = 0.00001m, MarketStepSize = 0.00001m, MinQty = 0.00001m, MarketMinQty = 0.00001m, QuantityPrecision = 5 },
        });
        var expected = (await ReplayAsync(s, TestnetSteps)).Select(r => r.Operacion!).ToList();
        var testnet = await s.RunAsync(s.Options(VenueKind.Testnet, TestnetSteps), TestnetSteps);
        var rows = RegistroReader.Read(testnet.RegistroPath).ToList();
        var ops = rows.Select(r => r.Operacion!).ToList();
        var differing = Enumerable.Range(0, Math.Min(ops.Count, expected.Count)).Where(i => ops[i] != expected[i]).ToList();
        output.WriteLine($"{ops.Count} steps, {differing.Count} differ: {string.Join("; ", differing.Select(i => $"{i}: {expected[i]} vs {ops[i]}"))}");
        Assert.Equal(expected, ops);
        AssertTracesOperations(s, rows, TestnetSteps);
    }
}
