using System.Globalization;
using System.Text.Json.Nodes;
using Afml.Core;
using Afml.Core.Agent;
using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;
using Afml.Core.MarketData;
using Afml.Core.Recording;
using Afml.Core.Risk;
using Afml.Core.Session;
using Afml.Core.Venues;
using Afml.FakeBinance;
using Xunit.Abstractions;
using static Afml.Tests.Session.GuardTestDefaults;

namespace Afml.Tests.Session;

/// <summary>
/// Issue 10's residuals (guard3), whole testnet sessions against the fake Binance over 127.0.0.1: a Direct emergency on a
/// dead session cancels the resting protective stop and every conditional order, and reports one that triggered while it
/// was dead; the session's own emergency cancels conditional orders too; a trigger is seen within one step with the
/// user-data stream down; a breach that beats the trigger's event is recorded as the stop's end with no second close;
/// the guard file is another account's → refused; a close-all stop placed by hand refuses the start.
/// </summary>
public class ProtectiveStopResidualTests(ITestOutputHelper output)
{
    private const int First = 18_000, History = 600;

    private static decimal VenuePosition(FakeVenueSession s) => s.Fake.Account.Position("BTCUSDT")?.Amount ?? 0m;

    private static string Status(JsonObject o) => (string)o["algoStatus"]!;

    private static string Prod(FakeVenueSession s) => Path.Combine(s.Harness.TrainingDir, "produccion");

    private static string GuardPath(FakeVenueSession s) => Path.Combine(Prod(s), ProtectiveStopGuardFile.FileName);

    private static Func<SessionHostOptions, SessionHostOptions> Long => o => o with { Adjust = p => p with { Policy = new Constant(p.Policy, 1f) } };

    private static SessionOptions StreamOff(SessionOptions o) => o with { Binance = o.Binance! with { ClientOptions = o.Binance!.ClientOptions! with { UserStream = false } } };

    private static BinanceExchange Exchange(FakeVenueSession s) =>
        new(BinanceEnvironment.Local(new Uri(s.Fake.RestBaseUrl), "binance-testnet"), new BinanceCredentials(FakeVenueSession.ApiKey, FakeVenueSession.ApiSecret), TimeProvider.System, Quick);

    private static int EmergencyCloses(FakeVenueSession s) => s.Fake.Orders.Count(o => o.ClientOrderId.Contains("-em", StringComparison.Ordinal));

    /// <summary>A close-all BUY stop far above the mark, placed "by hand" (not by Afml): it rests, it is not ours.</summary>
    private static async Task<ProtectiveStopOrder> PlaceByHandAsync(FakeVenueSession s, OrderSide side, double factor, string id = "manual-stop-1")
    {
        await using var venue = Exchange(s);
        var price = Math.Round((double)s.Fake.CurrentPrice * factor, 1).ToString(CultureInfo.InvariantCulture);
        var placed = await venue.PlaceStopAsync("BTCUSDT", side, price, id, CancellationToken.None);
        Assert.True(placed.Success, placed.Error?.ToString());
        return placed.Data!;
    }

    private static async Task<EmergencyResult> DirectEmergencyAsync(FakeVenueSession s, string? statusPath = null)
    {
        statusPath ??= Directory.GetFiles(Prod(s), "*.status.json").Single();
        var status = SessionStatusFile.Read(statusPath);
        var lockDir = Directory.CreateTempSubdirectory("afml-locks-").FullName;
        try
        {
            return await new DeadSessionEmergency(TimeProvider.System, FastBackOff, lockDir).RunAsync(status, Prod(s),
                new BinanceCredentials(FakeVenueSession.ApiKey, FakeVenueSession.ApiSecret), "proceso muerto", "xunit@test", CancellationToken.None, clientOptions: Quick);
        }
        finally
        {
            Directory.Delete(lockDir, true);
        }
    }

    [Fact]
    public async Task A_Direct_emergency_on_a_dead_session_cancels_its_resting_stop_and_every_conditional_order_and_clears_the_guard_file()
    {
        const int steps = 3;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps + 1, o => o with { ListenKeyTtl = TimeSpan.FromDays(1) });
        var first = await s.RunAsync(s.Options(VenueKind.Testnet, steps), steps, host: Long);
        Assert.Equal(SessionStopReason.MaxSteps, first.StopReason);
        var ours = Assert.Single(s.Fake.LiveAlgoOrders);
        Assert.True(File.Exists(GuardPath(s)));
        await PlaceByHandAsync(s, OrderSide.Buy, 1.5); // the other direction: Binance takes it beside ours
        Assert.Equal(2, s.Fake.LiveAlgoOrders.Count);

        var result = await DirectEmergencyAsync(s);

        var left = s.Fake.LiveAlgoOrders;
        TestReport.Write(output, I($"fault-suite: direct-emergency-on-dead-session state={result.State} closed={result.ClosedQuantity} conditional-orders-left={left.Count} guard-file-left={File.Exists(GuardPath(s))} stop={result.ProtectiveStop}"));
        Assert.Equal("Direct", result.Mode);
        Assert.Equal(EmergencyStates.Flat, result.State);
        Assert.Equal(0m, VenuePosition(s));
        Assert.Empty(left);
        Assert.Equal("CANCELED", Status(s.Fake.AlgoOrders.Single(o => (string?)o["clientAlgoId"] == (string?)ours["clientAlgoId"])));
        Assert.False(File.Exists(GuardPath(s)));
        Assert.Contains((string)ours["clientAlgoId"]!, result.ProtectiveStop);
        Assert.Contains("cancelado", result.ProtectiveStop);
        Assert.True(result.OrdersCancelled >= 2, $"{result.OrdersCancelled} cancelled");
        Assert.Single(s.Fake.RequestLog.For("DELETE /fapi/v1/algoOpenOrders"));
    }

    [Fact]
    public async Task A_Direct_emergency_reports_a_stop_that_triggered_while_the_session_was_dead_and_latches_it_as_stop_proteccion()
    {
        const int steps = 3;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps + 2, CrashAt(steps));
        await s.RunAsync(s.Options(VenueKind.Testnet, steps), steps, host: Long);
        var guard = new ProtectiveStopGuardFile(Prod(s)).Read();
        Assert.NotNull(guard);
        s.Clock.Advance(TimeSpan.FromHours(1));
        await s.Fake.PublishNextCandleAsync(); // the crash, with no Afml running: the exchange closes the position
        Assert.Equal(0m, VenuePosition(s));

        var result = await DirectEmergencyAsync(s);

        var latch = new TrainingHaltLatch(Prod(s)).Read();
        TestReport.Write(output, I($"fault-suite: direct-emergency-after-trigger state={result.State} closes-sent={EmergencyCloses(s)} latch={latch?.Reason}"));
        Assert.Equal(EmergencyStates.Flat, result.State);
        Assert.Equal(0, EmergencyCloses(s)); // flat already: nothing sent
        Assert.StartsWith("stop_proteccion", result.ProtectiveStop);
        Assert.Contains(guard.ClientAlgoId, result.ProtectiveStop);
        Assert.NotNull(latch);
        Assert.StartsWith("stop_proteccion", latch.Reason);
        Assert.Contains(guard.ClientAlgoId, latch.Reason);
        Assert.Contains("stop_proteccion", File.ReadAllLines(result.EmergencyPath!)[1]);
        Assert.False(File.Exists(GuardPath(s)));
    }

    [Fact]
    public async Task The_sessions_emergency_cancels_conditional_orders_placed_by_hand_once_flat()
    {
        const int steps = 4;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps, o => o with { ListenKeyTtl = TimeSpan.FromDays(1) });
        SessionHost? host = null;
        var summary = await s.RunAsync(s.Options(VenueKind.Testnet, 100), steps, i =>
        {
            if (i == 1) PlaceByHandAsync(s, OrderSide.Buy, 1.5).GetAwaiter().GetResult();
            if (i == 2) SessionControl.Request(host!.Parts.Status.Path, new ControlRequest(ControlRequest.Emergency, "xunit", DateTimeOffset.UtcNow, "xunit"));
        }, host: Long, started: h => host = h);
        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
        Assert.Equal(0m, VenuePosition(s));
        Assert.Empty(s.Fake.LiveAlgoOrders);
        Assert.Equal("CANCELED", Status(s.Fake.AlgoOrders.Single(o => (string?)o["clientAlgoId"] == "manual-stop-1")));
    }

    /// <summary>The candle published <paramref name="publication"/>-th falls 10 % from its open (see ProtectiveStopSessionTests).</summary>
    private static Func<FakeBinanceOptions, FakeBinanceOptions> CrashAt(int publication, int updates = 100) => o =>
    {
        var candles = o.Candles.ToArray();
        var c = candles[History + publication];
        candles[History + publication] = new Candle(c.OpenTime, c.Open, c.Open, c.Open * 0.9, c.Open * 0.9, c.Volume);
        return o with { Candles = candles, ListenKeyTtl = TimeSpan.FromDays(1), UpdatesPerCandle = updates, TakerCommissionRate = 0.001m, StopSlippage = 0.001m };
    };

    [Fact]
    public async Task With_the_user_stream_down_a_stop_triggered_between_candles_is_seen_within_one_step()
    {
        const int steps = 6, dip = 3;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps, o => o with { ListenKeyTtl = TimeSpan.FromDays(1), StopSlippage = 0.0005m });
        decimal trigger = 0;
        var summary = await s.RunAsync(StreamOff(s.Options(VenueKind.Testnet, steps)), steps, i =>
        {
            if (i != dip) return;
            // Let step `dip` finish, after-step hook included (its stop query is the session's last request before it
            // waits for the next candle; the fake's clock stands still meanwhile): the trigger then falls after that hook
            // and before the next step. Bounded: 10 polls in a row without a new query, at most 5 s.
            for (int k = 0, quiet = 0, seen = -1; k < 250 && quiet < 10; k++)
            {
                var count = s.Fake.RequestLog.For("GET /fapi/v1/algoOrder").Count;
                quiet = count == seen ? quiet + 1 : 0;
                seen = count;
                Thread.Sleep(20);
            }
            // Inside the next candle the mark dips just past the stop (by less than its slippage margin, so the monitor's
            // limit is not crossed), then the candle closes where it was scripted to: no breach at the close.
            trigger = decimal.Parse((string)Assert.Single(s.Fake.LiveAlgoOrders)["triggerPrice"]!, CultureInfo.InvariantCulture);
            s.Fake.PublishInProgress((double)trigger * 0.9997);
            Assert.Equal(0m, VenuePosition(s));
        }, host: Long);

        foreach (var e in s.Events.OfType<SessionLog>().Where(e => e.Level >= SessionLogLevel.Warning)) output.WriteLine(e.Message);
        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        var stopRow = rows.SingleOrDefault(r => r.Operacion == "stop_proteccion");
        var latch = new TrainingHaltLatch(Prod(s)).Read();
        TestReport.Write(output, I($"fault-suite: stream-down-trigger steps={summary.Steps} stop={summary.StopReason} stop-row={(stopRow is null ? 0 : 1)} dip-before-step={dip + 1} seen-at-step={stopRow?.Paso} decisions-after={rows.Count(r => r.TipoAccion is not (TradingSession.VenueEventActionType or TradingSession.EmergencyActionType)) - (stopRow?.Paso ?? 0)} algo-queries={s.Fake.RequestLog.For("GET /fapi/v1/algoOrder").Count}"));
        Assert.NotNull(stopRow);
        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
        // Seen by the step on the candle that dipped (or, the dip racing the end of the step before it, by that step's
        // after-step hook), and nothing was decided after it.
        Assert.InRange(stopRow.Paso, dip, dip + 1);
        Assert.Equal(stopRow.Paso, rows.Count(r => r.TipoAccion is not (TradingSession.VenueEventActionType or TradingSession.EmergencyActionType)));
        // The candle after the dip is not decided on: its step asks for the stop (step A) before deciding on a position
        // the stop has closed, so no order goes out on a stale book.
        Assert.Equal(dip, rows.Count(r => r.TipoAccion is not (TradingSession.VenueEventActionType or TradingSession.EmergencyActionType)));
        Assert.False(stopRow.PosicionAbierta);
        // The stop's fill came on no stream: its fee is booked at the training's commission rate (with a warning), as an
        // own order's unknown commission is, instead of being left out of the balance.
        var close = s.Fake.Trades[^1];
        var rate = Afml.Core.Configuration.TrainingConfigLoader.Load(Path.Combine(s.Harness.TrainingDir, "config_metadata.yaml"), s.Harness.TrainId).Portfolio.Commission;
        var entryFees = (double)s.Fake.Trades.Take(s.Fake.Trades.Count - 1).Sum(t => t.Commission);
        Assert.Equal((double)(close.Qty * close.Price) * rate, stopRow.Comision!.Value - entryFees, 6);
        Assert.Equal((double)(10_000m + s.Fake.Trades.Sum(t => t.RealizedPnl) - s.Fake.Trades.Sum(t => t.Commission) + close.Commission) - (double)(close.Qty * close.Price) * rate, stopRow.Balance, 6);
        Assert.Contains(s.Events.OfType<SessionLog>(), l => l.Message.Contains("no disponible en USDT", StringComparison.Ordinal));
        Assert.NotNull(latch);
        Assert.StartsWith("stop_proteccion", latch.Reason);
        Assert.Equal(0, EmergencyCloses(s));
    }

    [Fact]
    public async Task A_breach_at_the_close_that_beats_the_trigger_event_is_recorded_as_the_stops_end_with_no_second_close()
    {
        const int steps = 6, crash = 3;
        // No in-progress updates: the mark crosses the stop at the close itself, and the stream that would tell is down.
        await using var s = await FakeVenueSession.StartAsync(First, History, steps, CrashAt(crash, updates: 0));
        var summary = await s.RunAsync(StreamOff(s.Options(VenueKind.Testnet, steps)), steps, host: Long);

        foreach (var e in s.Events.OfType<SessionLog>().Where(e => e.Level >= SessionLogLevel.Warning)) output.WriteLine(e.Message);
        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        var stopRow = rows.SingleOrDefault(r => r.Operacion == "stop_proteccion");
        var fill = s.Fake.AlgoOrders.Single(o => Status(o) == "FINISHED");
        var emergencias = File.ReadAllLines(summary.EmergencyPath!);
        TestReport.Write(output, I($"fault-suite: close-beats-trigger stop-row={(stopRow is null ? 0 : 1)} second-closes={EmergencyCloses(s)} reason={emergencias[^1].Split(',')[1]}"));
        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
        Assert.NotNull(stopRow);
        Assert.Equal(0, EmergencyCloses(s));
        Assert.Equal((double)decimal.Parse((string)fill["avgPrice"]!, CultureInfo.InvariantCulture), stopRow.Precio, 6);
        Assert.False(stopRow.PosicionAbierta);
        Assert.DoesNotContain(rows, r => (r.Error ?? "").StartsWith("max_drawdown", StringComparison.Ordinal));
        Assert.Contains("stop_proteccion", emergencias[^1]);
        Assert.StartsWith("stop_proteccion", new TrainingHaltLatch(Prod(s)).Read()!.Reason);
    }

    [Fact]
    public async Task A_guard_file_of_another_account_is_refused_at_start_and_by_a_Direct_emergency_naming_the_file()
    {
        const int steps = 2;
        await using var s = await FakeVenueSession.StartAsync(First, History, 2 * steps + 1, o => o with { ListenKeyTtl = TimeSpan.FromDays(1) });
        await s.RunAsync(s.Options(VenueKind.Testnet, steps), steps, host: Long);
        var statusPath = Directory.GetFiles(Prod(s), "*.status.json").Single();
        var file = new ProtectiveStopGuardFile(Prod(s));
        var guard = file.Read()!;
        // The fingerprint is recorded, and it is not the key: neither the key nor the secret is in the file.
        var text = File.ReadAllText(GuardPath(s));
        Assert.Equal(SessionLock.AccountHash(FakeVenueSession.ApiKey), guard.Account);
        Assert.DoesNotContain(FakeVenueSession.ApiKey, text);
        Assert.DoesNotContain(FakeVenueSession.ApiSecret, text);
        file.Write(guard with { Account = SessionLock.AccountHash("another-account-key") });

        var refused = await Assert.ThrowsAsync<AfmlException>(() => s.RunAsync(s.Options(VenueKind.Testnet, steps) with { InitialBalance = 9_000 }, steps, host: Long));
        Assert.Equal("ProtectiveStopAccountMismatch", refused.ErrorId);
        Assert.Contains(GuardPath(s), refused.Message);
        Assert.DoesNotContain(FakeVenueSession.ApiKey, refused.Message);
        var direct = await Assert.ThrowsAsync<AfmlException>(() => DirectEmergencyAsync(s, statusPath));
        Assert.Equal("ProtectiveStopAccountMismatch", direct.ErrorId);
        Assert.Single(s.Fake.LiveAlgoOrders); // nothing was touched
        Assert.True(VenuePosition(s) > 0);
    }

    [Fact]
    public async Task A_close_all_stop_placed_by_hand_refuses_the_start_naming_it()
    {
        await using var s = await FakeVenueSession.StartAsync(First, History, 2, o => o with { ListenKeyTtl = TimeSpan.FromDays(1) });
        var foreign = await PlaceByHandAsync(s, OrderSide.Sell, 0.5, "hand-placed-sl");
        var refused = await Assert.ThrowsAsync<AfmlException>(() => s.RunAsync(s.Options(VenueKind.Testnet, 2), 1, host: Long));
        Assert.Equal("ForeignProtectiveStop", refused.ErrorId);
        Assert.Contains("hand-placed-sl", refused.Message);
        Assert.Contains(foreign.AlgoId!.Value.ToString(CultureInfo.InvariantCulture), refused.Message);
        Assert.Empty(s.Fake.Orders); // nothing was sent
    }

    [Fact]
    public async Task A_close_all_stop_placed_by_hand_mid_session_is_warned_once_shown_in_the_status_and_not_retried_every_step()
    {
        const int steps = 5;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps, o => o with { ListenKeyTtl = TimeSpan.FromDays(1) });
        // Before the first decision (after the start's check): the operator puts a close-all SELL stop of their own.
        var summary = await s.RunAsync(s.Options(VenueKind.Testnet, steps), steps, i =>
        {
            if (i == 0) PlaceByHandAsync(s, OrderSide.Sell, 0.5, "hand-sl-mid").GetAwaiter().GetResult();
        }, host: Long);

        var posts = s.Fake.RequestLog.For("POST /fapi/v1/algoOrder").Count - 1; // less the hand-placed one
        var warnings = s.Events.OfType<SessionLog>().Count(l => l.Message.Contains("-4130", StringComparison.Ordinal) && l.Message.Contains("hand-sl-mid", StringComparison.Ordinal));
        var status = SessionStatusFile.Read(Directory.GetFiles(Prod(s), "*.status.json").Single());
        TestReport.Write(output, I($"fault-suite: foreign-stop-mid-session steps={summary.Steps} stop-placements-tried={posts} warnings={warnings} status-problem={status.ProtectiveStopProblem is not null}"));
        Assert.Equal(SessionStopReason.MaxSteps, summary.StopReason);
        Assert.True(VenuePosition(s) > 0);
        Assert.Equal(1, posts); // the back-off (1 minute on the session's clock) holds the rest of the run's steps
        Assert.Equal(1, warnings);
        Assert.Contains("hand-sl-mid", status.ProtectiveStopProblem);
        Assert.Equal("hand-sl-mid", (string?)Assert.Single(s.Fake.LiveAlgoOrders)["clientAlgoId"]);
    }

    [Fact]
    public async Task A_stop_another_Afml_session_left_is_adopted_not_refused_and_never_doubled()
    {
        const int steps = 2;
        await using var s = await FakeVenueSession.StartAsync(First, History, 2 * steps + 1, o => o with { ListenKeyTtl = TimeSpan.FromDays(1) });
        await s.RunAsync(s.Options(VenueKind.Testnet, steps), steps, host: Long);
        var left = Assert.Single(s.Fake.LiveAlgoOrders);
        File.Delete(GuardPath(s)); // as if another training had left it: its guard file is not this training's

        var second = await s.RunAsync(s.Options(VenueKind.Testnet, steps) with { InitialBalance = 9_000 }, steps, host: Long);
        Assert.Equal(SessionStopReason.MaxSteps, second.StopReason);
        Assert.Single(s.Fake.LiveAlgoOrders);
        Assert.Equal(1, s.Fake.PeakLiveAlgoOrders);
        Assert.Contains(s.Events.OfType<SessionLog>(), l => l.Message.Contains((string)left["clientAlgoId"]!, StringComparison.Ordinal) && l.Message.Contains("adoptado", StringComparison.Ordinal));
    }

    private sealed class Constant(IPolicy inner, float action) : IPolicy
    {
        public PolicyShape Shape => inner.Shape;
        public float Predict(ReadOnlySpan<float> market, ReadOnlySpan<float> portfolio) => action;
        public void Dispose() { }
    }
}
