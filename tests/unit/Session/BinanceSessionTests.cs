using Afml.Core.Recording;
using Afml.Core.Session;
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

/// <summary>Live decisions are the trained decisions: fed the same candles, paper and testnet sessions make the
/// offline replay's sequence of operations.</summary>
public class LiveParityTests(ITestOutputHelper output)
{
    private const int First = 18_000, History = 600, Steps = 120;

    private static async Task<List<string>> ReplayOpsAsync(FakeVenueSession s)
    {
        var replay = await s.Harness.RunAsync(s.Harness.Options(s.WriteSliceCsv()) with
        {
            From = DateTimeOffset.FromUnixTimeMilliseconds(s.Slice[History].OpenTime),
            MaxSteps = Steps,
        });
        return RegistroReader.Read(replay.RegistroPath).Select(r => r.Operacion!).ToList();
    }

    [Fact]
    public async Task Paper_session_makes_the_replays_operations_and_balances()
    {
        await using var s = await FakeVenueSession.StartAsync(First, History, Steps);
        var expected = await ReplayOpsAsync(s);
        var paper = await s.RunAsync(s.Options(VenueKind.Paper, Steps), Steps);
        var ops = RegistroReader.Read(paper.RegistroPath).Select(r => r.Operacion!).ToList();
        Assert.Equal("paper", paper.Venue);
        Assert.Equal(expected, ops);
        Assert.Empty(s.Fake.RequestLog.For("POST /fapi/v1/order")); // paper never sends an order
    }

    [Fact]
    public async Task Testnet_session_makes_the_replays_operations()
    {
        // The fake charges the config's commission and fills at the close, with fine lot steps so that rounding
        // does not move the book away from training's sizes more than a fill would.
        await using var s = await FakeVenueSession.StartAsync(First, History, Steps, o => o with
        {
            TakerCommissionRate = 0.001m,
            Symbol = Afml.FakeBinance.FakeSymbolRules.BtcUsdt with { StepSize = 0.00001m, MarketStepSize = 0.00001m, MinQty = 0.00001m, MarketMinQty = 0.00001m, QuantityPrecision = 5 },
        });
        var expected = await ReplayOpsAsync(s);
        var testnet = await s.RunAsync(s.Options(VenueKind.Testnet, Steps), Steps);
        var ops = RegistroReader.Read(testnet.RegistroPath).Select(r => r.Operacion!).ToList();
        var differing = Enumerable.Range(0, Math.Min(ops.Count, expected.Count)).Where(i => ops[i] != expected[i]).ToList();
        output.WriteLine($"{ops.Count} steps, {differing.Count} differ: {string.Join("; ", differing.Select(i => $"{i}: {expected[i]} vs {ops[i]}"))}");
        Assert.Equal(expected, ops);
    }
}
