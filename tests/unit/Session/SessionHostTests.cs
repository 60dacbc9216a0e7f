using Afml.Core.Agent;
using Afml.Core.Exchange;
using Afml.Core.MarketData;
using Afml.Core.Recording;
using Afml.Core.Session;

namespace Afml.Tests.Session;

/// <summary>
/// Every end of a session passes through its <see cref="SessionHost"/>: a fault from any part runs the emergency
/// protocol and leaves a final status that is not Running; a signal or an operator's stop is a clean stop; every
/// end prints the statistics.
/// </summary>
public class SessionHostTests
{
    private static readonly string Candles = Path.Combine(TestData.SharedDir, "data", "BTCUSDT-1h.csv");

    private static SessionStatus FinalStatus(SessionHarness h) =>
        SessionStatusFile.Read(Directory.GetFiles(Path.Combine(h.TrainingDir, "produccion"), "*.status.json").Single());

    private static int EmergencyRows(SessionSummary s) => s.EmergencyPath is { } p && File.Exists(p) ? File.ReadAllLines(p).Length - 1 : 0;

    [Fact]
    public async Task A_replays_status_file_is_replaced_without_a_flush_to_disk_and_still_read_whole()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        bool? flush = null;
        var summary = await h.RunAsync(h.Options(Candles) with { MaxSteps = 20 }, p => { flush = p.Status.FlushToDisk; return p; });

        Assert.False(flush); // an offline replay is run again after a power cut; paper and real venues keep the flush
        Assert.Equal(20, FinalStatus(h).Step);
        Assert.Equal(nameof(SessionState.Stopped), FinalStatus(h).State);
        Assert.Empty(Directory.GetFiles(Path.Combine(h.TrainingDir, "produccion"), "*.tmp"));
        Assert.Equal(SessionStopReason.MaxSteps, summary.StopReason);
    }

    [Fact]
    public async Task An_exception_from_the_market_data_runs_the_emergency_protocol_and_the_final_status_is_not_running()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var summary = await h.RunAsync(h.Options(Candles) with { MaxSteps = 200 }, p =>
            p with { Feed = new ThrowingFeed(p.Feed, 30, () => new ArgumentOutOfRangeException("price", "Price must be positive")) });

        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
        Assert.StartsWith("fallo_interno: ArgumentOutOfRangeException", summary.StopDetail);
        Assert.Equal("HALTED", summary.TradingState);
        Assert.False(summary.PositionOpen);
        Assert.Equal(1, EmergencyRows(summary));
        var status = FinalStatus(h);
        Assert.Equal(nameof(SessionState.Stopped), status.State);
        Assert.Equal(SessionState.Stopped, status.StateOf());
        Assert.Contains("fallo_interno", status.StopReason);
        Assert.Equal(TradingSession.EmergencyActionType, RegistroReader.Read(summary.RegistroPath).Last().TipoAccion);
        Assert.Contains(h.Events.OfType<SessionLog>(), l => l.Message.Contains("ESTADÍSTICAS"));
    }

    [Fact]
    public async Task An_exception_from_the_venue_runs_the_emergency_protocol_which_still_closes_the_position()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        ThrowingAccount? venue = null;
        var summary = await h.RunAsync(h.Options(Candles) with { MaxSteps = 300 }, p =>
        {
            venue = new ThrowingAccount((SimulatedExchange)p.Exchange);
            return p with { Exchange = venue };
        }, started: null, host: o => o, ct: default);

        Assert.True(venue!.Thrown, "the venue never threw (no position was ever open)");
        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
        Assert.Contains("InvalidOperationException", summary.StopDetail);
        Assert.False(summary.PositionOpen);
        Assert.Equal(0, (await venue.GetPositionAsync("BTCUSDT", default)).Data!.Quantity);
        Assert.NotEqual(nameof(SessionState.Running), FinalStatus(h).State);
    }

    [Fact]
    public async Task A_status_file_that_cannot_be_written_mid_run_still_ends_with_the_position_closed()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        SessionStatusFile? status = null;
        var summary = await h.RunAsync(h.Options(Candles) with { MaxSteps = 300 }, p =>
        {
            status = p.Status;
            return p with { Policy = new AlwaysLong(p.Policy), Feed = new ActAfter(p.Feed, 20, () =>
                // The disk "fills": the status file's path becomes a directory, every write of it throws.
                { File.Delete(status!.Path); Directory.CreateDirectory(status.Path); }) };
        }, host: o => o with { StatusInterval = TimeSpan.Zero });

        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
        Assert.Contains("fallo_interno", summary.StopDetail);
        Assert.False(summary.PositionOpen);
        Assert.Equal(1, EmergencyRows(summary));
    }

    [Fact]
    public async Task A_fault_outside_the_loop_such_as_a_failed_host_write_ends_the_session_through_the_protocol()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        SessionHost? host = null;
        var summary = await h.RunAsync(h.Options(Candles) with { MaxSteps = 300 }, p =>
            p with { Policy = new AlwaysLong(p.Policy), Feed = new ActAfter(p.Feed, 15, () => host!.Fault(new InvalidOperationException("host write failed"))) },
            started: s => host = s);

        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
        Assert.Contains("host write failed", summary.StopDetail);
        Assert.False(summary.PositionOpen);
        Assert.Equal(nameof(SessionState.Stopped), FinalStatus(h).State);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SIGTERM_is_a_clean_stop_and_FlattenOnStop_closes_the_position(bool flatten)
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        SessionHost? host = null;
        var summary = await h.RunAsync(h.Options(Candles) with { MaxSteps = 300 }, p =>
            p with { Policy = new AlwaysLong(p.Policy), Feed = new ActAfter(p.Feed, 12, () => host!.Stop(SessionStopReason.Signal, "SIGTERM")) },
            started: s => host = s, host: o => o with { FlattenOnStop = flatten });

        Assert.Equal(SessionStopReason.Signal, summary.StopReason);
        Assert.Equal("ACTIVE", summary.TradingState);
        Assert.Equal(0, EmergencyRows(summary));
        Assert.Equal(!flatten, summary.PositionOpen);
        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        if (flatten)
        {
            Assert.Equal(TradingSession.FinalCloseActionType, rows[^1].TipoAccion);
            Assert.False(rows[^1].PosicionAbierta);
            Assert.EndsWith("-fin", rows[^1].ClientOrderId);
        }
        else Assert.True(rows[^1].PosicionAbierta);
        var status = FinalStatus(h);
        Assert.Equal(nameof(SessionState.Stopped), status.State);
        Assert.StartsWith("Signal", status.StopReason);
        Assert.Contains(h.Events.OfType<SessionLog>(), l => l.Message.Contains("ESTADÍSTICAS"));
    }

    [Fact]
    public async Task An_unknown_control_command_is_logged_and_ignored_and_stop_is_a_clean_stop()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var summary = await h.RunAsync(h.Options(Candles) with { MaxSteps = 30 }, p =>
        {
            SessionControl.Request(p.Status.Path, new ControlRequest("reboot", "typo", DateTimeOffset.UtcNow, "xunit"));
            return p;
        });
        Assert.Equal(SessionStopReason.MaxSteps, summary.StopReason);
        Assert.Equal(30, summary.Steps);
        Assert.Contains(h.Events.OfType<SessionLog>(), l => l.Level == SessionLogLevel.Warning && l.Message.Contains("'reboot'"));

        using var h2 = new SessionHarness(TestData.FixtureTrainingDir);
        var stopped = await h2.RunAsync(h2.Options(Candles) with { MaxSteps = 30 }, p =>
        {
            SessionControl.Request(p.Status.Path, new ControlRequest("stop", "maintenance", DateTimeOffset.UtcNow, "xunit"));
            return p;
        });
        Assert.Equal(SessionStopReason.OperatorStop, stopped.StopReason);
        Assert.Equal("ACTIVE", stopped.TradingState);
        Assert.Equal(0, EmergencyRows(stopped));
    }

    [Fact]
    public async Task The_status_file_is_written_on_state_changes_and_about_once_a_second_not_at_every_step()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T10:00:00Z"));
        SessionHost? host = null;
        // 200 steps within the same second: Starting, Running and the final Stopped only.
        var summary = await h.RunAsync(h.Options(Candles) with { MaxSteps = 200 }, time: time, started: s => host = s);
        Assert.Equal(200, summary.Steps);
        Assert.Equal(3, host!.Status!.Writes);

        // A second passes at every step: one write per step, plus the state changes.
        using var h2 = new SessionHarness(TestData.FixtureTrainingDir);
        var time2 = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T10:00:00Z"));
        SessionHost? host2 = null;
        var summary2 = await h2.RunAsync(h2.Options(Candles) with { MaxSteps = 50 }, p => p with { Feed = new Ticking(p.Feed, time2) }, time: time2, started: s => host2 = s);
        Assert.Equal(50, summary2.Steps);
        Assert.InRange(host2!.Status!.Writes, 50, 53 + 50); // each second: the step's write or the heartbeat's
        var status = FinalStatus(h2);
        Assert.Equal(50, status.Step);
        Assert.Equal(nameof(SessionState.Stopped), status.State);
    }

    /// <summary>Advances a fake clock by a second before each candle.</summary>
    private sealed class Ticking(IMarketFeed inner, Microsoft.Extensions.Time.Testing.FakeTimeProvider time) : IMarketFeed
    {
        public Task<IReadOnlyList<Candle>> LoadHistoryAsync(CancellationToken ct) => inner.LoadHistoryAsync(ct);
        public async IAsyncEnumerable<Candle> StreamClosedCandlesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            await foreach (var c in inner.StreamClosedCandlesAsync(ct))
            {
                time.Advance(TimeSpan.FromSeconds(1));
                yield return c;
            }
        }
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    [Fact]
    public async Task MaxDrawdown_in_the_statistics_is_the_maximum_over_the_session_not_the_last_steps()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var summary = await h.RunAsync(h.Options(Candles) with { MaxSteps = 400 });
        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        Assert.Equal(rows.Max(r => r.MaxDrawdown), summary.MaxDrawdown);
        Assert.True(rows.Max(r => r.MaxDrawdown) > rows[^1].MaxDrawdown, "the fixture never recovered from a drawdown: the test cannot tell max from last");
    }

    [Fact]
    public async Task An_action_just_outside_minus_one_one_is_clamped_before_the_book_and_one_far_outside_is_refused()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var summary = await h.RunAsync(h.Options(Candles) with { MaxSteps = 40 }, p => p with { Policy = new Scripted(p.Policy, i => i % 2 == 0 ? 1.0000001f : -1.0000001f) });
        Assert.Equal(SessionStopReason.MaxSteps, summary.StopReason);
        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        Assert.All(rows, r => Assert.InRange(r.Action, -1.0, 1.0));
        Assert.Contains(rows, r => r.Operacion is "abrir_long" or "abrir_short");

        Assert.Equal((1f, (string?)null), TradingSession.ValidateAction(1.0000001f));
        Assert.Equal((-1f, (string?)null), TradingSession.ValidateAction(-1.0000001f));
        Assert.StartsWith("accion_invalida", TradingSession.ValidateAction(1.5f).Denial);
        Assert.StartsWith("accion_invalida", TradingSession.ValidateAction(float.NaN).Denial);

        using var h2 = new SessionHarness(TestData.FixtureTrainingDir);
        var refused = await h2.RunAsync(h2.Options(Candles) with { MaxSteps = 10 }, p => p with { Policy = new Scripted(p.Policy, _ => 1.5f) });
        var refusedRows = RegistroReader.Read(refused.RegistroPath).ToList();
        Assert.Equal(10, refusedRows.Count);
        Assert.All(refusedRows, r => { Assert.False(r.Resultado); Assert.StartsWith("accion_invalida", r.Error); Assert.False(r.PosicionAbierta); });
    }

    /// <summary>A policy answering from a script (per call index), with the real one's shape.</summary>
    private sealed class Scripted(IPolicy inner, Func<int, float> action) : IPolicy
    {
        private int _calls;
        public PolicyShape Shape => inner.Shape;
        public float Predict(ReadOnlySpan<float> market, ReadOnlySpan<float> portfolio) => action(_calls++);
        public void Dispose() { }
    }

    /// <summary>Always fully long: a position is open from the first step on.</summary>
    private sealed class AlwaysLong(IPolicy inner) : IPolicy
    {
        public PolicyShape Shape => inner.Shape;
        public float Predict(ReadOnlySpan<float> market, ReadOnlySpan<float> portfolio) => 1f;
        public void Dispose() { }
    }

    /// <summary>Yields candles, and runs <paramref name="act"/> before the n-th.</summary>
    private sealed class ActAfter(IMarketFeed inner, int n, Action act) : IMarketFeed
    {
        public Task<IReadOnlyList<Candle>> LoadHistoryAsync(CancellationToken ct) => inner.LoadHistoryAsync(ct);
        public async IAsyncEnumerable<Candle> StreamClosedCandlesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            var i = 0;
            await foreach (var c in inner.StreamClosedCandlesAsync(ct))
            {
                if (i++ == n) act();
                ct.ThrowIfCancellationRequested();
                yield return c;
            }
        }
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>Throws from the stream after n candles, as a venue's bad data would.</summary>
    private sealed class ThrowingFeed(IMarketFeed inner, int n, Func<Exception> error) : IMarketFeed
    {
        public Task<IReadOnlyList<Candle>> LoadHistoryAsync(CancellationToken ct) => inner.LoadHistoryAsync(ct);
        public async IAsyncEnumerable<Candle> StreamClosedCandlesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            var i = 0;
            await foreach (var c in inner.StreamClosedCandlesAsync(ct))
            {
                if (i++ == n) throw error();
                yield return c;
            }
        }
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>The simulated account whose account read throws (a bug, not an error result) once a position is open.</summary>
    private sealed class ThrowingAccount(SimulatedExchange inner) : IExchange, IPriceDriven
    {
        public bool Thrown { get; private set; }
        public string Name => inner.Name;
        public bool IsLive => false;
        public void OnPrice(string symbol, double price) => inner.OnPrice(symbol, price);
        public Task<ExchangeResult<SymbolRules>> GetSymbolRulesAsync(string s, CancellationToken ct) => inner.GetSymbolRulesAsync(s, ct);
        public async Task<ExchangeResult<AccountSnapshot>> GetAccountAsync(CancellationToken ct)
        {
            if (!Thrown && (await inner.GetPositionAsync("BTCUSDT", ct)).Data!.Quantity != 0)
            {
                Thrown = true;
                throw new InvalidOperationException("account parser bug");
            }
            return await inner.GetAccountAsync(ct);
        }
        public Task<ExchangeResult<PositionSnapshot>> GetPositionAsync(string s, CancellationToken ct) => inner.GetPositionAsync(s, ct);
        public Task<ExchangeResult<bool>> SetLeverageAsync(string s, int l, CancellationToken ct) => inner.SetLeverageAsync(s, l, ct);
        public Task<ExchangeResult<OrderFill>> PlaceMarketOrderAsync(MarketOrderRequest r, CancellationToken ct) => inner.PlaceMarketOrderAsync(r, ct);
        public Task<ExchangeResult<int>> CancelAllOrdersAsync(string s, CancellationToken ct) => inner.CancelAllOrdersAsync(s, ct);
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
