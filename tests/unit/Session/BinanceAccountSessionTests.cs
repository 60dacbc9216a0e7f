using System.Globalization;
using Afml.Core;
using Afml.Core.Recording;
using Afml.Core.Session;
using Xunit.Abstractions;

namespace Afml.Tests.Session;

/// <summary>Whole testnet sessions on the fake with the account as a real one can be: hedge mode, BNB fees. Each test
/// prints its counts for the fault suite's report (<see cref="TestReport"/>).</summary>
public class BinanceAccountSessionTests(ITestOutputHelper output)
{
    private const int First = 18_000, History = 600;

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_hedge_mode_account_refuses_the_session_and_receives_no_order()
    {
        await using var s = await FakeVenueSession.StartAsync(First, History, 3);
        s.Fake.Modes.DualSidePosition = true;
        s.Fake.Modes.SetHedgeLegs((0.02m, 60_000m), (-0.005m, 61_000m));

        var e = await Assert.ThrowsAsync<AfmlException>(() => s.RunAsync(s.Options(VenueKind.Testnet, 3), 3));

        var rejected = s.Fake.RequestLog.For("POST /fapi/v1/order").Count(r => r.ErrorCode == -4061);
        var sent = s.Fake.RequestLog.For("POST /fapi/v1/order").Count;
        TestReport.Write(output, I($"fault-suite: hedge-mode account error={e.ErrorId} orders-sent={sent} orders-rejected-by-hedge-account={rejected}"));
        Assert.Equal("HedgeModeUnsupported", e.ErrorId);
        Assert.Contains("One-way", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, sent);
        Assert.Equal(0, rejected);
    }

    [Fact]
    public async Task BNB_commissions_are_booked_at_their_USDT_value_with_the_raw_amount_in_the_registro()
    {
        const int steps = 30;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps);
        s.Fake.Modes.FeeBurn = true;
        s.Fake.Modes.BnbPrice = 600m;

        var summary = await s.RunAsync(s.Options(VenueKind.Testnet, steps), steps);

        var rows = RegistroReader.Read(summary.RegistroPath).Where(r => r.ComisionMoneda is not null).ToList();
        var header = File.ReadLines(summary.RegistroPath).First().Split(',');
        output.WriteLine(I($"rows with a venue commission: {rows.Count}; trades on the fake: {s.Fake.Trades.Count}"));
        Assert.NotEmpty(rows);
        Assert.Equal(["comision_activo", "comision_moneda"], header[^2..]);
        Assert.Equal(RegistroWriter.OriginalColumns, header[..RegistroWriter.OriginalColumns.Count]);
        foreach (var r in rows)
        {
            Assert.Equal("BNB", r.ComisionMoneda);
            var bnb = double.Parse(r.ComisionActivo!, CultureInfo.InvariantCulture);
            var trade = s.Fake.Trades.Single(t => (double)t.Commission == bnb);
            Assert.Equal("BNB", trade.CommissionAsset);
        }
        // An open's comision is that one fill's (a close's sums the trade's), so opens show the conversion exactly.
        var opens = rows.Where(r => r.Operacion is "abrir_long" or "abrir_short").ToList();
        Assert.NotEmpty(opens);
        foreach (var r in opens)
            Assert.Equal(double.Parse(r.ComisionActivo!, CultureInfo.InvariantCulture) * 600, r.Comision!.Value, 9);
    }

    [Fact]
    public async Task With_a_healthy_user_stream_steps_read_account_and_position_without_REST()
    {
        const int steps = 20;
        // The fake's clock jumps an hour per candle while the client's keepalive runs on real time: give the key a
        // validity longer than the run so that it does not expire between two real seconds.
        await using var s = await FakeVenueSession.StartAsync(First, History, steps, o => o with { ListenKeyTtl = TimeSpan.FromDays(3) });

        var summary = await s.RunAsync(s.Options(VenueKind.Testnet, steps), steps);

        foreach (var l in s.Events.OfType<SessionLog>().Where(l => l.Level != SessionLogLevel.Info)) output.WriteLine(l.Message);
        var reads = new[] { "GET /fapi/v3/account", "GET /fapi/v3/positionRisk" }.Sum(e => s.Fake.RequestLog.For(e).Count);
        var orders = s.Fake.RequestLog.For("POST /fapi/v1/order").Count;
        TestReport.Write(output, I($"fault-suite: user-stream steps={summary.Steps} orders={orders} rest-account+position-reads={reads} (start: 2) per-step={(double)(reads - 2) / summary.Steps:F2}"));
        Assert.Equal(steps, summary.Steps);
        Assert.Equal(SessionStopReason.MaxSteps, summary.StopReason);
        Assert.True(reads - 2 <= summary.Steps / 10, $"{reads} REST reads over {summary.Steps} steps");

        // The same candles with every read over REST: the same book, row by row.
        await using var r = await FakeVenueSession.StartAsync(First, History, steps);
        var restOptions = r.Options(VenueKind.Testnet, steps);
        var restSummary = await r.RunAsync(restOptions with { Binance = restOptions.Binance! with { ClientOptions = restOptions.Binance.ClientOptions! with { UserStream = false } } }, steps);
        static string Row(RegistroRow x) => I($"{x.Paso} {x.Operacion} {x.Cantidad} {x.Balance:F6} {x.Equity:F6}");
        Assert.Equal(RegistroReader.Read(restSummary.RegistroPath).Select(Row), RegistroReader.Read(summary.RegistroPath).Select(Row));
    }
}
