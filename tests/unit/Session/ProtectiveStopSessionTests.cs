using System.Globalization;
using System.Text.Json.Nodes;
using Afml.Core;
using Afml.Core.Agent;
using Afml.Core.MarketData;
using Afml.Core.Recording;
using Afml.Core.Risk;
using Afml.Core.Session;
using Afml.FakeBinance;
using Xunit.Abstractions;

namespace Afml.Tests.Session;

/// <summary>
/// Issue 10, layer 2: the protective stop that lives on the exchange. Whole testnet sessions over real HTTP/WebSocket on
/// the fake Binance, whose algo STOP_MARKET orders trigger on its mark (the in-progress close): placed after an open,
/// replaced after an increase and a reduction, never two at once (faults on the algo endpoint included), cancelled by
/// the session's close, left in place at -MaxSteps; a crash inside a candle closes the position on the exchange and the
/// live session records it and halts; a stop that triggered while no session ran halts the next start.
/// </summary>
public class ProtectiveStopSessionTests(ITestOutputHelper output)
{
    private const int First = 18_000, History = 600;

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static decimal VenuePosition(FakeVenueSession s) => s.Fake.Account.Position("BTCUSDT")?.Amount ?? 0m;

    private static Func<SessionHostOptions, SessionHostOptions> WithPolicy(Func<int, float> action) =>
        o => o with { Adjust = p => p with { Policy = new Scripted(p.Policy, action) } };

    private static string Status(JsonObject o) => (string)o["algoStatus"]!;

    private static int EmergencyRows(SessionSummary s) => s.EmergencyPath is { } p && File.Exists(p) ? File.ReadAllLines(p).Length - 1 : 0;

    /// <summary>The candle published <paramref name="publication"/>-th (0-based) falls 10 % from its open in 100 in-progress
    /// updates of 0.1 % each: past a 5× long's stop (about 5 % down), which triggers inside the candle, on the update that
    /// crosses it, so the fill is at most one update (0.1 %, the training's slippage) beyond the trigger.</summary>
    private static Func<FakeBinanceOptions, FakeBinanceOptions> CrashAt(int publication) => o =>
    {
        var candles = o.Candles.ToArray();
        var c = candles[History + publication];
        candles[History + publication] = new Candle(c.OpenTime, c.Open, c.Open, c.Open * 0.9, c.Open * 0.9, c.Volume);
        // The venue charges what the training does and the stop slips by the training's slippage: the margin the stop allows for.
        return o with { Candles = candles, ListenKeyTtl = TimeSpan.FromDays(1), UpdatesPerCandle = 100, TakerCommissionRate = 0.001m, StopSlippage = 0.001m };
    };

    [Fact]
    public async Task The_stop_follows_open_increase_and_reduction_one_at_a_time_and_the_sessions_close_cancels_it()
    {
        const int steps = 5;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps, o => o with { ListenKeyTtl = TimeSpan.FromDays(1) });
        var liveAfter = new List<(int Live, decimal Position, string? Trigger)>();
        // open half long · increase to full · reduce to 0.3 · close · hold
        float[] actions = [0.5f, 1f, 0.3f, -1f, 0f];
        var summary = await s.RunAsync(s.Options(VenueKind.Testnet, steps), steps, i =>
        {
            if (i == 0) return;
            var live = s.Fake.LiveAlgoOrders;
            liveAfter.Add((live.Count, VenuePosition(s), live.Count == 1 ? (string?)live[0]["triggerPrice"] : null));
        }, host: WithPolicy(k => actions[Math.Min(k, actions.Length - 1)]));
        var all = s.Fake.AlgoOrders;
        output.WriteLine(string.Join(Environment.NewLine, all.Select(o => I($"{o["clientAlgoId"]} {o["side"]} {o["triggerPrice"]} {Status(o)}"))));

        Assert.Equal(SessionStopReason.MaxSteps, summary.StopReason);
        // After the open, the increase and the reduction: exactly one stop, a SELL below the price, a new one each time.
        Assert.Equal([1, 1, 1], liveAfter.Take(3).Select(l => l.Live));
        Assert.All(liveAfter.Take(3), l => Assert.True(l.Position > 0));
        Assert.Equal(3, liveAfter.Take(3).Select(l => l.Trigger).Distinct().Count());
        // After the session's close: none left.
        Assert.Equal(0m, liveAfter[3].Position);
        Assert.Equal(0, liveAfter[3].Live);
        Assert.Empty(s.Fake.LiveAlgoOrders);
        Assert.Equal(1, s.Fake.PeakLiveAlgoOrders);
        Assert.All(all, o => Assert.Equal("SELL", (string?)o["side"]));
        Assert.All(all, o => Assert.Equal("MARK_PRICE", (string?)o["workingType"]));
        Assert.All(all, o => Assert.True((bool)o["closePosition"]!));
        Assert.All(all, o => Assert.Equal("CANCELED", Status(o)));
        Assert.Equal(all.Count, all.Select(o => (string?)o["clientAlgoId"]).Distinct().Count());
        Assert.False(File.Exists(Path.Combine(s.Harness.TrainingDir, "produccion", ProtectiveStopGuardFile.FileName)));
    }

    [Fact]
    public async Task Lost_answers_and_5xx_on_the_algo_endpoints_never_leave_two_stops()
    {
        const int steps = 6;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps, o => o with { ListenKeyTtl = TimeSpan.FromDays(1) });
        var maxLive = 0;
        // long, longer, shorter, longer...: a replacement at every step, each under a fault.
        float[] actions = [0.4f, 0.9f, 0.5f, 1f, 0.6f, 0.95f];
        var summary = await s.RunAsync(s.Options(VenueKind.Testnet, steps), steps, i =>
        {
            maxLive = Math.Max(maxLive, s.Fake.LiveAlgoOrders.Count);
            switch (i)
            {
                case 0: s.Fake.Faults.OnNext(FaultEndpoints.NewAlgoOrder, Fault.DropAfterAccept); break;
                case 1: s.Fake.Faults.OnNext(FaultEndpoints.NewAlgoOrder, Fault.Http503Unknown); break;
                case 2: s.Fake.Faults.OnNext(FaultEndpoints.CancelAlgoOrder, Fault.DropAfterAccept); break;
                case 3: s.Fake.Faults.OnNext(FaultEndpoints.NewAlgoOrder, Fault.Timeout1007); break;
                case 4: s.Fake.Faults.OnNext(FaultEndpoints.CancelAlgoOrder, Fault.Http500); s.Fake.Faults.OnNext(FaultEndpoints.NewAlgoOrder, Fault.DropBeforeAccept); break;
            }
        }, host: WithPolicy(k => actions[Math.Min(k, actions.Length - 1)]));
        maxLive = Math.Max(maxLive, s.Fake.LiveAlgoOrders.Count);
        var applied = s.Fake.Faults.Applied.Count(a => a.Endpoint.Contains("algoOrder", StringComparison.Ordinal));
        var duplicates = s.Fake.PeakLiveAlgoOrders - 1;
        TestReport.Write(output, I($"fault-suite: protective-stop faults-on-algo-endpoint={applied} stops-placed={s.Fake.AlgoOrders.Count} live-at-end={s.Fake.LiveAlgoOrders.Count} duplicate protective stops ({duplicates}) steps={summary.Steps} stop={summary.StopReason}"));

        Assert.Equal(6, applied);
        Assert.Equal(SessionStopReason.MaxSteps, summary.StopReason);
        Assert.Equal(0, duplicates);
        Assert.Equal(1, maxLive);
        var live = Assert.Single(s.Fake.LiveAlgoOrders);
        Assert.True(VenuePosition(s) > 0);
        // The status names the stop resting on the venue.
        var status = SessionStatusFile.Read(Directory.GetFiles(Path.Combine(s.Harness.TrainingDir, "produccion"), "*.status.json").Single());
        Assert.Equal(decimal.Parse((string)live["triggerPrice"]!, CultureInfo.InvariantCulture), status.ProtectiveStopPrice);
        Assert.StartsWith((string)live["clientAlgoId"]!, status.ProtectiveStopId);
        Assert.InRange(status.ProtectiveStopDistancePct!.Value, 0.1, 30);
    }

    [Fact]
    public async Task A_crash_inside_a_candle_is_closed_by_the_exchange_stop_and_the_live_session_records_it_latches_and_stops()
    {
        const int steps = 6, crash = 3;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps, CrashAt(crash));
        // The fake streams a candle's updates back to back; on Binance the close comes up to an interval after the stop
        // fills. The crash candle's final event is held a second, as the rest of the candle would be.
        var summary = await s.RunAsync(s.Options(VenueKind.Testnet, 100), steps, i =>
        {
            if (i == crash) s.Fake.Faults.OnNext(FaultEndpoints.KlineStream, Fault.StreamLateFinal(TimeSpan.FromSeconds(1)));
        }, host: WithPolicy(_ => 1f));

        foreach (var e in s.Events.OfType<SessionLog>().Where(e => e.Level >= SessionLogLevel.Info))
            output.WriteLine(I($"{e.Time:HH:mm:ss.fff} {e.Level}: {e.Message}"));
        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        var stopRow = rows.SingleOrDefault(r => r.Operacion == "stop_proteccion");
        var emergencies = File.ReadAllLines(summary.EmergencyPath!);
        var latch = new TrainingHaltLatch(Path.Combine(s.Harness.TrainingDir, "produccion")).Read();
        var triggered = s.Fake.AlgoOrders.Count(o => Status(o) == "FINISHED");
        TestReport.Write(output, I($"fault-suite: protective-stop breaches-between-candles=1 closed by the exchange stop ({triggered}) left-open={Math.Abs(VenuePosition(s))} duplicate protective stops ({s.Fake.PeakLiveAlgoOrders - 1}) registro-row={(stopRow is null ? 0 : 1)} emergencias-rows={EmergencyRows(summary)} latch={(latch is null ? "none" : "HALTED")} steps={summary.Steps} stop={summary.StopReason}"));

        Assert.Equal(1, triggered);
        Assert.Equal(0m, VenuePosition(s));
        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
        // Stopped inside the crash candle, before deciding on it: one decision per candle before it, none after.
        Assert.Equal(crash, rows.Count(r => r.TipoAccion is not (TradingSession.VenueEventActionType or TradingSession.EmergencyActionType)));
        Assert.NotNull(stopRow);
        Assert.Equal(TradingSession.VenueEventActionType, stopRow.TipoAccion);
        Assert.False(stopRow.PosicionAbierta);
        // The stop's fill and its fee came on the user-data stream (in USDT): the book's balance after it is the account's
        // wallet to the cent, the close's fee included (it used to be left out of the reconciliation's close).
        Assert.Equal((double)(10_000m + s.Fake.Trades.Sum(t => t.RealizedPnl - t.Commission)), stopRow.Balance, 6);
        Assert.Equal((double)s.Fake.Trades.Sum(t => t.Commission), stopRow.Comision!.Value, 6);
        Assert.Equal(2, emergencies.Length);
        Assert.Contains("stop_proteccion", emergencies[1]);
        Assert.NotNull(latch);
        Assert.StartsWith("stop_proteccion", latch.Reason);
        Assert.Equal(EmergencyStates.Flat, latch.EmergencyState);
        Assert.Empty(s.Fake.LiveAlgoOrders);
        Assert.Equal(1, s.Fake.PeakLiveAlgoOrders);
        // The equity the stop left is within the slippage margin of the limit: the fake fills at the mark that crossed the
        // trigger, at most one 0.1 % update beyond it; the limit is the session's peak less max_drawdown_permitido.
        var peak = rows.Max(r => r.Equity);
        var limit = (decimal)(peak * (1 - 0.2595079825048034));
        var notional = (decimal)(stopRow.Precio * rows.Where(r => r.CantidadActiva is > 0).Max(r => r.CantidadActiva!.Value));
        var wallet = s.Fake.Account.WalletBalance;
        output.WriteLine(I($"wallet after the stop {wallet} · limit {limit:F2} · slippage margin {0.001m * notional:F2}"));
        Assert.InRange(wallet, limit - 0.001m * notional, limit + 0.001m * notional);
    }

    [Fact]
    public async Task A_stop_left_at_MaxSteps_that_triggers_while_no_session_runs_halts_the_next_start()
    {
        const int steps = 3;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps + 2, CrashAt(steps));
        var first = await s.RunAsync(s.Options(VenueKind.Testnet, steps), steps, host: WithPolicy(_ => 1f));
        var guardPath = Path.Combine(s.Harness.TrainingDir, "produccion", ProtectiveStopGuardFile.FileName);

        // -MaxSteps with a position open: the stop stays on the exchange, recorded next to the latch.
        Assert.Equal(SessionStopReason.MaxSteps, first.StopReason);
        Assert.True(VenuePosition(s) > 0);
        var left = Assert.Single(s.Fake.LiveAlgoOrders);
        var guard = new ProtectiveStopGuardFile(Path.GetDirectoryName(guardPath)!).Read();
        Assert.NotNull(guard);
        Assert.Equal((string)left["clientAlgoId"]!, guard.ClientAlgoId);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(guardPath));

        // Afml is not running: the crash comes, the exchange closes the position.
        s.Clock.Advance(TimeSpan.FromHours(1));
        await s.Fake.PublishNextCandleAsync();
        Assert.Equal(0m, VenuePosition(s));
        Assert.Equal("FINISHED", Status(s.Fake.AlgoOrders.Single(o => (string?)o["clientAlgoId"] == guard.ClientAlgoId)));

        var refused = await Assert.ThrowsAsync<AfmlException>(() => s.RunAsync(s.Options(VenueKind.Testnet, steps), 1, host: WithPolicy(_ => 1f)));
        TestReport.Write(output, I($"fault-suite: protective-stop triggered-while-dead=1 restart={refused.ErrorId} guard-left={File.Exists(guardPath)}"));
        Assert.Equal("TrainingHalted", refused.ErrorId);
        Assert.Contains("stop_proteccion", refused.Message);
        var latch = new TrainingHaltLatch(Path.GetDirectoryName(guardPath)!).Read();
        Assert.NotNull(latch);
        Assert.Contains(guard.ClientAlgoId, latch.Reason);
        Assert.False(File.Exists(guardPath));
        Assert.Equal(0m, VenuePosition(s)); // nothing was sent
        // And a start after that is refused by the latch itself, before anything is built.
        var again = await Assert.ThrowsAsync<AfmlException>(() => s.RunAsync(s.Options(VenueKind.Testnet, steps), 1));
        Assert.Equal("TrainingHalted", again.ErrorId);
    }

    [Fact]
    public async Task An_emergency_that_ends_flat_and_FlattenOnStop_cancel_the_stop()
    {
        const int steps = 4;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps, o => o with { ListenKeyTtl = TimeSpan.FromDays(1) });
        SessionHost? host = null;
        var liveBefore = 0;
        var emergency = await s.RunAsync(s.Options(VenueKind.Testnet, 100), steps, i =>
        {
            if (i != 2) return;
            liveBefore = s.Fake.LiveAlgoOrders.Count;
            SessionControl.Request(host!.Parts.Status.Path, new ControlRequest(ControlRequest.Emergency, "xunit", DateTimeOffset.UtcNow, "xunit"));
        }, host: WithPolicy(_ => 1f), started: h => host = h);
        Assert.Equal(1, liveBefore);
        Assert.Equal(SessionStopReason.Emergency, emergency.StopReason);
        Assert.Equal(0m, VenuePosition(s));
        Assert.Empty(s.Fake.LiveAlgoOrders); // flat: nothing left that could close a later position
        Assert.False(File.Exists(Path.Combine(s.Harness.TrainingDir, "produccion", ProtectiveStopGuardFile.FileName)));

        await using var f = await FakeVenueSession.StartAsync(First, History, steps, o => o with { ListenKeyTtl = TimeSpan.FromDays(1) });
        var flattened = await f.RunAsync(f.Options(VenueKind.Testnet, steps), steps, host: o => WithPolicy(_ => 1f)(o) with { FlattenOnStop = true });
        Assert.Equal(SessionStopReason.MaxSteps, flattened.StopReason);
        Assert.Equal(0m, VenuePosition(f));
        Assert.NotEmpty(f.Fake.AlgoOrders);
        Assert.Empty(f.Fake.LiveAlgoOrders);
    }

    [Fact]
    public async Task A_restart_onto_the_open_position_adopts_the_stop_left_and_never_holds_two()
    {
        const int steps = 3;
        await using var s = await FakeVenueSession.StartAsync(First, History, 2 * steps + 1, o => o with { ListenKeyTtl = TimeSpan.FromDays(1) });
        await s.RunAsync(s.Options(VenueKind.Testnet, steps), steps, host: WithPolicy(_ => 1f));
        var left = Assert.Single(s.Fake.LiveAlgoOrders);
        var position = VenuePosition(s);
        Assert.True(position > 0);

        // The same training again (a new session, a new order tag), holding: it adopts position and stop.
        // (The open's fee left the wallet just under the default capital: a smaller one is allocated.)
        var second = await s.RunAsync(s.Options(VenueKind.Testnet, steps) with { InitialBalance = 9_000 }, steps, host: WithPolicy(_ => 0f));
        Assert.Equal(SessionStopReason.MaxSteps, second.StopReason);
        Assert.Equal(position, VenuePosition(s));
        var live = Assert.Single(s.Fake.LiveAlgoOrders);
        Assert.Equal(1, s.Fake.PeakLiveAlgoOrders);
        Assert.Contains(s.Events.OfType<SessionLog>(), l => l.Message.Contains("adoptado", StringComparison.Ordinal) && l.Message.Contains((string)left["clientAlgoId"]!, StringComparison.Ordinal));
        var guard = new ProtectiveStopGuardFile(Path.Combine(s.Harness.TrainingDir, "produccion")).Read();
        Assert.Equal((string)live["clientAlgoId"]!, guard!.ClientAlgoId);
    }

    private sealed class Scripted(IPolicy inner, Func<int, float> action) : IPolicy
    {
        private int _calls;
        public PolicyShape Shape => inner.Shape;
        public float Predict(ReadOnlySpan<float> market, ReadOnlySpan<float> portfolio) => action(_calls++);
        public void Dispose() { }
    }
}
