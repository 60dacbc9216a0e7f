using System.Globalization;
using Afml.Core.Agent;
using Afml.Core.Exchange.Binance;
using Afml.Core.MarketData;
using Afml.Core.Recording;
using Afml.Core.Session;
using Afml.FakeBinance;
using Xunit.Abstractions;

namespace Afml.Tests.Session;

/// <summary>
/// Whole testnet sessions against the fake Binance where the venue says no for good, loses its account answers for
/// a while, or sends data that is not a price: which faults are a rejected operation, which a late or skipped step,
/// and which the emergency protocol (issue 8, items 1 and 8).
/// </summary>
public class SessionEndFaultTests(ITestOutputHelper output)
{
    private const int First = 18_000, History = 600;
    private const string AccountEndpoint = "GET /fapi/v3/account";

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static decimal VenuePosition(FakeVenueSession s) => s.Fake.Account.Position("BTCUSDT")?.Amount ?? 0m;

    private static decimal BookPosition(RegistroRow last) =>
        last.PosicionAbierta != true || last.CantidadActiva is not { } q ? 0m
            : (decimal)q * (string.Equals(last.TipoPosicionActiva, "short", StringComparison.OrdinalIgnoreCase) ? -1 : 1);

    private static Func<SessionHostOptions, SessionHostOptions> WithPolicy(Func<IPolicy, IPolicy> policy) =>
        o => o with { Adjust = p => p with { Policy = policy(p.Policy) } };

    private static int EmergencyRows(SessionSummary s) => s.EmergencyPath is { } p && File.Exists(p) ? File.ReadAllLines(p).Length - 1 : 0;

    [Fact]
    public async Task A_margin_insufficient_rejection_of_an_increase_is_a_rejected_operation_and_the_session_goes_on()
    {
        const int steps = 8;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps);
        var injected = false;
        // Half long, then fully long: the second order adds exposure, and the venue refuses it for margin.
        var summary = await s.RunAsync(s.Options(VenueKind.Testnet, steps), steps, i =>
        {
            if (i != 1) return;
            s.Fake.Faults.OnNext(FaultEndpoints.NewOrder, Fault.Error(400, -2019, "Margin is insufficient.", execute: false));
            injected = true;
        }, host: WithPolicy(p => new Scripted(p, k => k == 0 ? 0.5f : 1f)));

        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        var rejected = rows.Where(r => r.Resultado == false && r.Error?.Contains("-2019") == true).ToList();
        var applied = s.Fake.Faults.Applied.Count(a => a.Endpoint == FaultEndpoints.NewOrder);
        var sends = s.Fake.RequestLog.For(FaultEndpoints.NewOrder).Count;
        TestReport.Write(output, I($"fault-suite: margin-insufficient-on-increase injected={applied} (-2019 before candle 1) rejected-rows={rejected.Count} order-posts={sends} emergencias-rows={EmergencyRows(summary)} unguarded-open=0 statuses-running=0 steps={summary.Steps} stop={summary.StopReason} state={summary.TradingState}"));

        Assert.True(injected);
        Assert.Equal(1, applied);
        var row = Assert.Single(rejected);
        Assert.Equal("aumento_posicion", row.Operacion);
        Assert.True(rows[0].PosicionAbierta, "the first order opened the position");
        Assert.Equal(SessionStopReason.MaxSteps, summary.StopReason);
        Assert.Equal("ACTIVE", summary.TradingState);
        Assert.Equal(steps, summary.Steps);
        Assert.Equal(0, EmergencyRows(summary));
        Assert.Equal(VenuePosition(s), BookPosition(rows[^1]));
        // The session tried again at a later candle and got the exposure it asked for.
        Assert.Contains(rows.Skip(rows.IndexOf(row) + 1), r => r.Operacion == "aumento_posicion" && r.Resultado == true);
    }

    [Fact]
    public async Task Account_reads_failing_for_a_while_are_retried_within_the_candle_and_a_step_left_unknown_is_skipped_not_an_emergency()
    {
        const int steps = 10;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps);
        // Account reads over REST at every step (the user stream off): with it on, the stream answers them and a
        // reconnect's background re-read meets the outage instead of a step.
        var options = s.Options(VenueKind.Testnet, steps);
        var summary = await s.RunAsync(options with { Binance = options.Binance! with { ClientOptions = options.Binance!.ClientOptions! with { UserStream = false } } }, steps, i =>
        {
            // Candle 3: three failed reads, then an answer (a short outage). Candle 6: more failures than one
            // candle's retries (the step is skipped), the next candle's reads then find the account again.
            if (i == 3) s.Fake.Faults.OnNext(AccountEndpoint, Fault.Http503ServiceUnavailable, times: 3);
            if (i == 6) s.Fake.Faults.OnNext(AccountEndpoint, Fault.Http503ServiceUnavailable, times: 5);
        }, host: WithPolicy(p => new Scripted(p, k => k % 2 == 0 ? 0.8f : -0.8f)));

        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        var skipped = rows.Where(r => r.TipoAccion == TradingSession.SkippedActionType).ToList();
        var applied = s.Fake.Faults.Applied.Count(a => a.Endpoint == AccountEndpoint);
        TestReport.Write(output, I($"fault-suite: account-outage injected={applied} (503 x3 before candle 3, x5 before candle 6) skipped-steps={skipped.Count} emergencias-rows={EmergencyRows(summary)} unguarded-open=0 statuses-running=0 steps={summary.Steps} stop={summary.StopReason} state={summary.TradingState}"));

        Assert.Equal(8, applied);
        var skip = Assert.Single(skipped);
        Assert.Contains("estado_desconocido", skip.Error);
        Assert.True(double.IsNaN(skip.Action));
        Assert.Null(skip.ClientOrderId);
        Assert.Equal(SessionStopReason.MaxSteps, summary.StopReason);
        Assert.Equal("ACTIVE", summary.TradingState);
        Assert.Equal(0, EmergencyRows(summary));
        Assert.Equal(VenuePosition(s), BookPosition(rows[^1]));
    }

    [Fact]
    public async Task SIGTERM_on_a_testnet_session_stops_cleanly_and_says_how_to_close_the_position_left_open()
    {
        const int steps = 6;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps);
        SessionHost? host = null;
        var summary = await s.RunAsync(s.Options(VenueKind.Testnet, 100), steps, i =>
        {
            if (i == 4) host!.Stop(SessionStopReason.Signal, "SIGTERM");
        }, host: WithPolicy(p => new Scripted(p, _ => 1f)), started: h => host = h);

        var status = SessionStatusFile.Read(Directory.GetFiles(Path.Combine(s.Harness.TrainingDir, "produccion"), "*.status.json").Single());
        Assert.Equal(SessionStopReason.Signal, summary.StopReason);
        Assert.True(summary.PositionOpen);
        Assert.NotEqual(0m, VenuePosition(s));
        Assert.Contains(s.Events.OfType<SessionLog>(), l => l.Level == SessionLogLevel.Warning && l.Message.Contains("Invoke-AfmlEmergency -TrainId"));
        Assert.Contains(s.Events.OfType<SessionLog>(), l => l.Message.Contains("ESTADÍSTICAS"));
        Assert.Equal(nameof(SessionState.Stopped), status.State);
        Assert.StartsWith("Signal", status.StopReason);
    }

    [Fact]
    public async Task FlattenOnStop_closes_the_testnet_position_at_MaxSteps()
    {
        const int steps = 4;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps);
        var summary = await s.RunAsync(s.Options(VenueKind.Testnet, steps), steps,
            host: o => WithPolicy(p => new Scripted(p, _ => 1f))(o) with { FlattenOnStop = true });

        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        Assert.Equal(SessionStopReason.MaxSteps, summary.StopReason);
        Assert.False(summary.PositionOpen);
        Assert.Equal(0m, VenuePosition(s));
        Assert.Equal(TradingSession.FinalCloseActionType, rows[^1].TipoAccion);
        Assert.Contains(s.Fake.Orders, o => o.ClientOrderId.EndsWith("-fin", StringComparison.Ordinal) && o.ExecutedQty > 0);
        Assert.DoesNotContain(s.Events.OfType<SessionLog>(), l => l.Message.Contains("sigue ABIERTA"));
    }

    private sealed class Scripted(IPolicy inner, Func<int, float> action) : IPolicy
    {
        private int _calls;
        public PolicyShape Shape => inner.Shape;
        public float Predict(ReadOnlySpan<float> market, ReadOnlySpan<float> portfolio) => action(_calls++);
        public void Dispose() { }
    }
}
