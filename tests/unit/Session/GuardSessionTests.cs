using System.Globalization;
using Afml.Core;
using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;
using Afml.Core.Risk;
using Afml.Core.Session;
using Afml.Core.Venues;
using Afml.FakeBinance;
using Xunit.Abstractions;
using static Afml.Tests.Session.GuardTestDefaults;

namespace Afml.Tests.Session;

/// <summary>
/// The guard against the fake Binance over 127.0.0.1: the emergency protocol with the venue frozen and back, past its
/// bound then flattened from "another shell" on the dead session, one session per account and symbol, and the HALTED
/// latch refusing a restart.
/// </summary>
public class GuardSessionTests(ITestOutputHelper output)
{
    private const int First = 18_000, History = 600;

    private static BinanceExchange Exchange(FakeVenueSession s) =>
        new(BinanceEnvironment.Local(new Uri(s.Fake.RestBaseUrl), "binance-testnet"), new BinanceCredentials(FakeVenueSession.ApiKey, FakeVenueSession.ApiSecret), TimeProvider.System, Quick);

    private static async Task OpenLongAsync(FakeVenueSession s, BinanceExchange venue, double qty = 0.01)
    {
        var fill = await venue.PlaceMarketOrderAsync(new MarketOrderRequest("BTCUSDT", OrderSide.Buy, qty, false, "afml-test-open-1", s.Slice[History].Close), CancellationToken.None);
        Assert.True(fill.Success, fill.Error?.ToString());
        Assert.Equal((decimal)qty, s.Fake.Account.Position("BTCUSDT")!.Amount);
    }

    private static decimal VenuePosition(FakeVenueSession s) => s.Fake.Account.Position("BTCUSDT")?.Amount ?? 0m;

    private static int Duplicates(FakeVenueSession s) =>
        s.Fake.Orders.Where(o => o.ExecutedQty > 0).GroupBy(o => o.ClientOrderId).Count(g => g.Count() > 1);

    [Fact]
    public async Task The_protocol_waits_out_a_frozen_venue_and_closes_the_position_once()
    {
        await using var s = await FakeVenueSession.StartAsync(First, History, 1);
        await using var venue = Exchange(s);
        await OpenLongAsync(s, venue);
        const int frozen = 12;
        s.Fake.Faults.OnNext(FaultEndpoints.AnyRest, Fault.Http503ServiceUnavailable, times: frozen);

        var attempts = new List<EmergencyAttempt>();
        var outcome = await new EmergencyProtocol(venue, TimeProvider.System, FastBackOff)
            .RunAsync("BTCUSDT", "test", ClientOrderIds.For("20261202_100000-ab12", 9), s.Slice[History].Close, CancellationToken.None, attempts.Add);

        var applied = s.Fake.Faults.Applied.Count;
        var closes = s.Fake.Orders.Where(o => o.ClientOrderId.Contains("-em", StringComparison.Ordinal)).ToList();
        TestReport.Write(output, I($"fault-suite: emergency-venue-frozen injected={applied} (503 x{frozen} on every REST call) attempts={attempts.Count} failed-attempts={attempts.Count(a => !a.Success)} rounds={outcome.Rounds} state={outcome.State} closing-orders={closes.Count} duplicates={Duplicates(s)} venue-position={VenuePosition(s)} open-unguarded={(VenuePosition(s) != 0 ? 1 : 0)}"));

        Assert.Equal(frozen, applied);
        Assert.Equal(EmergencyStates.Flat, outcome.State);
        Assert.Equal(0m, VenuePosition(s));
        Assert.Single(closes);
        Assert.Equal(0, Duplicates(s));
        Assert.Contains(attempts, a => !a.Success);
        Assert.Equal(0.01, outcome.CloseFill!.ExecutedQuantity, 9);
    }

    [Fact]
    public async Task Past_its_bound_the_protocol_says_EMERGENCY_INCOMPLETE_and_an_operator_flattens_the_dead_session_later()
    {
        await using var s = await FakeVenueSession.StartAsync(First, History, 1);
        var prod = Path.Combine(s.Harness.TrainingDir, "produccion");
        Directory.CreateDirectory(prod);
        await using (var venue = Exchange(s))
        {
            await OpenLongAsync(s, venue, 0.02);
            s.Fake.Faults.OnNext(FaultEndpoints.AnyRest, Fault.Http503ServiceUnavailable, times: 1000);
            var outcome = await new EmergencyProtocol(venue, TimeProvider.System, FastBackOff with { GiveUpAfter = TimeSpan.FromSeconds(1) })
                .RunAsync("BTCUSDT", "test", ClientOrderIds.For("20261202_100000-ab12", 9), s.Slice[History].Close, CancellationToken.None);
            Assert.Equal(EmergencyStates.Incomplete, outcome.State);
            Assert.False(outcome.RemainingKnown);
            Assert.Contains("desconocida", outcome.Describe());
            Assert.Equal(0.02m, VenuePosition(s));
            s.Fake.Faults.Clear();
        }

        // The session's process is gone: a status that still says Running, whose PID is this process with another
        // start time (a reused PID), pointing at the fake.
        var statusPath = Path.Combine(prod, "sesion_20261202_100000.status.json");
        SessionStatusFile.Rewrite(statusPath, new SessionStatus
        {
            SessionId = "20261202_100000", TrainId = s.Harness.TrainId, Venue = "binance-testnet", Symbol = "BTCUSDT",
            ProcessId = Environment.ProcessId, ProcessStartedAt = DateTimeOffset.UtcNow.AddDays(-3), HeartbeatAt = DateTimeOffset.UtcNow.AddHours(-1), HeartbeatSeconds = 5,
            State = SessionState.Running.ToText(), TradingState = "ACTIVE", StartedAt = DateTimeOffset.UtcNow.AddHours(-2), UpdatedAt = DateTimeOffset.UtcNow.AddHours(-1),
            RegistroPath = Path.Combine(prod, "registro_20261202_100000.csv"), Position = "long", PositionQuantity = 0.02, Price = s.Slice[History].Close,
            VenueKind = "Testnet", Endpoint = s.Fake.RestBaseUrl,
        });
        var stale = SessionStatusLiveness.Resolve(SessionStatusFile.Read(statusPath));
        Assert.Equal(SessionState.Stale.ToText(), stale.State);

        var lockDir = Directory.CreateTempSubdirectory("afml-locks-").FullName;
        var attempts = new List<EmergencyAttempt>();
        var result = await new DeadSessionEmergency(TimeProvider.System, FastBackOff, lockDir).RunAsync(stale, prod,
            new BinanceCredentials(FakeVenueSession.ApiKey, FakeVenueSession.ApiSecret), "proceso muerto", "xunit@test", CancellationToken.None, attempts.Add, Quick);

        TestReport.Write(output, I($"fault-suite: kill-9-then-invoke mode={result.Mode} state={result.State} closed={result.ClosedQuantity} attempts={attempts.Count} duplicates={Duplicates(s)} venue-position={VenuePosition(s)} open-unguarded={(VenuePosition(s) != 0 ? 1 : 0)} statuses-left-running={(SessionStatusFile.Read(statusPath).State == "Running" ? 1 : 0)}"));
        Assert.Equal("Direct", result.Mode);
        Assert.Equal(EmergencyStates.Flat, result.State);
        Assert.Equal(0.02, result.ClosedQuantity, 9);
        Assert.Equal(0m, VenuePosition(s));
        Assert.Equal(0, Duplicates(s));
        var after = SessionStatusFile.Read(statusPath);
        Assert.Equal(SessionState.Stopped.ToText(), after.State);
        Assert.Equal("HALTED", after.TradingState);
        Assert.Equal(EmergencyStates.Flat, after.EmergencyState);
        Assert.Null(after.Position);
        var halt = new TrainingHaltLatch(prod).Read();
        Assert.NotNull(halt);
        Assert.Equal(EmergencyStates.Flat, halt.EmergencyState);
        Assert.Contains("proceso muerto", halt.Reason);
        var emergencias = File.ReadAllLines(result.EmergencyPath!);
        Assert.Equal(2, emergencias.Length);
        Assert.Contains("FLAT", emergencias[1]);
        Assert.Empty(Directory.GetFiles(lockDir, "*.holder.json")); // released (the .lock file stays: deleting it would race another taker)
        Directory.Delete(lockDir, true);
    }

    [Fact]
    public async Task Two_sessions_on_one_account_and_symbol_the_second_is_refused_with_SessionConflict()
    {
        await using var s = await FakeVenueSession.StartAsync(First, History, 1);
        var lockDir = Directory.CreateTempSubdirectory("afml-locks-").FullName;
        var factory = new SessionFactory(TimeProvider.System) { LockDirectory = lockDir };
        var options = s.Options(VenueKind.Testnet, 5);
        var prod = Path.Combine(s.Harness.TrainingDir, "produccion");
        AfmlException? conflict;
        await using (var first = factory.Create(options))
        {
            var filesBefore = Directory.GetFiles(prod).Length;
            conflict = Assert.Throws<AfmlException>(() => factory.Create(options));
            Assert.Equal(filesBefore, Directory.GetFiles(prod).Length); // the refused start wrote nothing
            Assert.Contains($"process {Environment.ProcessId}", conflict.Message);
            Assert.Contains(first.Parts.SessionId[..8], conflict.Message);
        }
        TestReport.Write(output, $"fault-suite: two-sessions-one-account second={conflict.ErrorId} message=\"{conflict.Message}\"");
        Assert.Equal("SessionConflict", conflict.ErrorId);
        Assert.DoesNotContain(FakeVenueSession.ApiKey, conflict.Message);
        await using (factory.Create(options)) { } // released when the first was disposed
        Directory.Delete(lockDir, true);
    }

    [Fact]
    public async Task A_latched_training_is_refused_until_the_latch_is_cleared_and_a_replay_emergency_latches_nothing()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var cfg = Path.Combine(h.TrainingDir, "config_metadata.yaml");
        File.WriteAllLines(cfg, File.ReadAllLines(cfg).Select(l => l.TrimStart().StartsWith("max_drawdown_permitido:", StringComparison.Ordinal) ? "  max_drawdown_permitido: 0.01" : l));
        var candles = Path.Combine(TestData.SharedDir, "data", "BTCUSDT-1h.csv");
        var summary = await h.RunAsync(h.Options(candles) with { MaxSteps = 300 });
        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);

        var prod = Path.Combine(h.TrainingDir, "produccion");
        var status = SessionStatusFile.Read(Directory.GetFiles(prod, "*.status.json").Single());
        Assert.Equal(EmergencyStates.Flat, status.EmergencyState);
        Assert.Equal("Replay", status.VenueKind);
        Assert.NotNull(status.HeartbeatAt);
        Assert.Contains("FLAT", File.ReadAllText(summary.EmergencyPath!));

        // A backtest that hits its limit halts itself, not the training: no latch, the next replay starts.
        Assert.False(new TrainingHaltLatch(prod).IsHalted);
        await using (new SessionFactory(TimeProvider.System).Create(h.Options(candles))) { }
        // A real venue's emergency (or Invoke-AfmlEmergency on a dead session) leaves the latch: every start is refused.
        new TrainingHaltLatch(prod).Write(new HaltRecord { HaltedAt = DateTimeOffset.UtcNow, Reason = "max_drawdown_excedido: testnet", EmergencyState = EmergencyStates.Flat });

        var files = Directory.GetFiles(prod).Order().ToArray();
        var ex = Assert.Throws<AfmlException>(() => new SessionFactory(TimeProvider.System).Create(h.Options(candles)));
        Assert.Equal("TrainingHalted", ex.ErrorId);
        Assert.Contains("max_drawdown_excedido", ex.Message);
        Assert.Equal(files, Directory.GetFiles(prod).Order().ToArray()); // nothing written by the refused start
        Assert.Empty(Directory.GetFiles(prod, "*.tmp"));
        if (!OperatingSystem.IsWindows())
            foreach (var f in files) Assert.Equal(Afml.Core.Recording.DurableFile.OwnerOnly, File.GetUnixFileMode(f));

        new TrainingHaltLatch(prod).Clear();
        await using (new SessionFactory(TimeProvider.System).Create(h.Options(candles))) { }
    }
}
