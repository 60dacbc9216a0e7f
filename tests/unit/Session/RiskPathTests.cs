using Afml.Core.Exchange;
using Afml.Core.Recording;
using Afml.Core.Session;

namespace Afml.Tests.Session;

/// <summary>The emergency protocol's triggers and the clean stop, on the demo training's replay.</summary>
public class RiskPathTests
{
    private static readonly string Candles = Path.Combine(TestData.SharedDir, "data", "BTCUSDT-1h.csv");

    private static void SetMaxDrawdown(SessionHarness h, string value)
    {
        var cfg = Path.Combine(h.TrainingDir, "config_metadata.yaml");
        var lines = File.ReadAllLines(cfg).Select(l => l.TrimStart().StartsWith("max_drawdown_permitido:") ? "  max_drawdown_permitido: " + value : l);
        File.WriteAllLines(cfg, lines);
    }

    [Fact]
    public async Task Drawdown_over_the_limit_closes_records_halts_and_stops()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        SetMaxDrawdown(h, "0.01");
        var summary = await h.RunAsync(h.Options(Candles) with { MaxSteps = 300 });

        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
        Assert.Equal("HALTED", summary.TradingState);
        Assert.False(summary.PositionOpen);
        Assert.StartsWith("max_drawdown_excedido", summary.StopDetail);
        Assert.True(summary.Steps < 300);

        var emergencies = File.ReadAllLines(summary.EmergencyPath!);
        Assert.Equal("timestamp,razon,balance_final,equity_final,posiciones_cerradas,detalles", emergencies[0]);
        Assert.Equal(2, emergencies.Length);
        Assert.Contains("max_drawdown_excedido", emergencies[1]);

        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        var last = rows[^1];
        Assert.Equal("emergencia", last.TipoAccion);
        Assert.False(last.PosicionAbierta);
        Assert.True(double.IsNaN(last.Action));
        Assert.Equal("HALTED", last.EstadoTrading);
        Assert.All(rows.Take(rows.Count - 1), r => Assert.Equal("ACTIVE", r.EstadoTrading));
        Assert.Equal(last.Balance, last.Equity, 9); // flat: all cash
    }

    [Fact]
    public async Task An_order_failing_three_times_runs_the_emergency_protocol()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        FailingOrders? failing = null;
        var summary = await h.RunAsync(h.Options(Candles) with { MaxSteps = 50 }, p =>
        {
            failing = new FailingOrders(p.Exchange, failFromOrder: 3);
            return p with { Exchange = failing };
        });

        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
        Assert.StartsWith("fallo_operacion", summary.StopDetail);
        Assert.Equal(3, failing!.FailedAttempts); // the seed's rule: 3 attempts, then the protocol
        Assert.Single(failing.DistinctFailedIds); // every attempt reused one client order id
        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        Assert.Contains(rows, r => r.Resultado == false && r.Error!.Contains("Unknown"));
    }

    [Fact]
    public async Task An_operator_request_from_another_shell_runs_the_protocol_at_the_next_step()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var summary = await h.RunAsync(h.Options(Candles) with { MaxSteps = 40 }, p =>
        {
            SessionControl.Request(p.Status.Path, new ControlRequest(ControlRequest.Emergency, "test", DateTimeOffset.UtcNow, "xunit"));
            return p;
        });
        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
        Assert.Contains("solicitud_operador: test (xunit)", summary.StopDetail);
        Assert.Equal(1, summary.Steps); // the emergency row only
        var status = SessionStatusFile.Read(Directory.GetFiles(Path.Combine(h.TrainingDir, "produccion"), "*.status.json").Single());
        Assert.Equal("Stopped", status.State);
        Assert.Equal("HALTED", status.TradingState);
    }

    [Fact]
    public async Task Cancellation_stops_cleanly_and_keeps_every_written_row()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        using var cts = new CancellationTokenSource();
        var summary = await h.RunAsync(h.Options(Candles) with { MaxSteps = 500 }, p =>
            p with { Feed = new CancelAfter(p.Feed, 25, cts) }, cts.Token);

        Assert.Equal(SessionStopReason.Cancelled, summary.StopReason);
        Assert.Equal(25, summary.Steps);
        Assert.Equal(25, RegistroReader.Read(summary.RegistroPath).Count());
        Assert.Contains(h.Events.OfType<SessionLog>(), l => l.Message.Contains("detenida por el usuario"));
    }

    /// <summary>Fails every order from the n-th on with an unknown outcome.</summary>
    private sealed class FailingOrders(IExchange inner, int failFromOrder) : IExchange
    {
        private int _orders;
        public int FailedAttempts { get; private set; }
        public HashSet<string> DistinctFailedIds { get; } = [];
        public string Name => inner.Name;
        public bool IsLive => false;
        public Task<ExchangeResult<SymbolRules>> GetSymbolRulesAsync(string s, CancellationToken ct) => inner.GetSymbolRulesAsync(s, ct);
        public Task<ExchangeResult<AccountSnapshot>> GetAccountAsync(CancellationToken ct) => inner.GetAccountAsync(ct);
        public Task<ExchangeResult<PositionSnapshot>> GetPositionAsync(string s, CancellationToken ct) => inner.GetPositionAsync(s, ct);
        public Task<ExchangeResult<bool>> SetLeverageAsync(string s, int l, CancellationToken ct) => inner.SetLeverageAsync(s, l, ct);
        public Task<ExchangeResult<int>> CancelAllOrdersAsync(string s, CancellationToken ct) => inner.CancelAllOrdersAsync(s, ct);
        public ValueTask DisposeAsync() => inner.DisposeAsync();
        public Task<ExchangeResult<OrderFill>> PlaceMarketOrderAsync(MarketOrderRequest r, CancellationToken ct)
        {
            if (r.ClientOrderId.EndsWith("-em", StringComparison.Ordinal)) return inner.PlaceMarketOrderAsync(r, ct);
            if (!DistinctFailedIds.Contains(r.ClientOrderId)) _orders++;
            if (_orders < failFromOrder) return inner.PlaceMarketOrderAsync(r, ct);
            FailedAttempts++;
            DistinctFailedIds.Add(r.ClientOrderId);
            return Task.FromResult(ExchangeResult<OrderFill>.Fail(ExchangeErrorKind.Unknown, "HTTP 502 Bad Gateway"));
        }
    }

    /// <summary>Cancels the token after n candles, as Ctrl+C would.</summary>
    private sealed class CancelAfter(Afml.Core.MarketData.IMarketFeed inner, int n, CancellationTokenSource cts) : Afml.Core.MarketData.IMarketFeed
    {
        public Task<IReadOnlyList<Afml.Core.MarketData.Candle>> LoadHistoryAsync(CancellationToken ct) => inner.LoadHistoryAsync(ct);
        public async IAsyncEnumerable<Afml.Core.MarketData.Candle> StreamClosedCandlesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            var i = 0;
            await foreach (var c in inner.StreamClosedCandlesAsync(ct))
            {
                if (i++ == n) { cts.Cancel(); ct.ThrowIfCancellationRequested(); }
                yield return c;
            }
        }
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

/// <summary>An operator's request reaches a session that is waiting for its next candle.</summary>
public class OperatorRequestWhileWaitingTests
{
    private static readonly string Candles = Path.Combine(TestData.SharedDir, "data", "BTCUSDT-1h.csv");

    [Fact]
    public async Task A_request_while_waiting_for_a_candle_runs_the_protocol_within_the_poll_interval()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T10:00:00Z"));
        var waiting = new TaskCompletionSource();
        string? statusPath = null;
        var run = h.RunAsync(h.Options(Candles) with { MaxSteps = 100 }, p =>
        {
            statusPath = p.Status.Path;
            return p with { Feed = new StallAfter(p.Feed, 10, waiting) };
        }, time: time);

        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
        SessionControl.Request(statusPath!, new ControlRequest(ControlRequest.Emergency, "manual", time.GetUtcNow(), "xunit"));
        time.Advance(TimeSpan.FromSeconds(1));
        var summary = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
        Assert.Contains("solicitud_operador: manual", summary.StopDetail);
        Assert.Equal(11, summary.Steps); // ten decisions, then the emergency row
        Assert.False(summary.PositionOpen);
        var rows = Afml.Core.Recording.RegistroReader.Read(summary.RegistroPath).ToList();
        Assert.Equal("emergencia", rows[^1].TipoAccion);
        // Stamped with the venue's clock (the last close plus the second waited), not the wall clock: the candles are
        // from 2025 while this clock says 2026.
        Assert.Equal(rows[^2].Timestamp + TimeSpan.FromSeconds(1), rows[^1].Timestamp);
        var emergencia = File.ReadAllLines(summary.EmergencyPath!)[1];
        Assert.StartsWith(rows[^1].Timestamp.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), emergencia);
    }

    /// <summary>Yields n candles, then waits (as a live feed between candles) until cancelled.</summary>
    private sealed class StallAfter(Afml.Core.MarketData.IMarketFeed inner, int n, TaskCompletionSource stalled) : Afml.Core.MarketData.IMarketFeed
    {
        public Task<IReadOnlyList<Afml.Core.MarketData.Candle>> LoadHistoryAsync(CancellationToken ct) => inner.LoadHistoryAsync(ct);
        public async IAsyncEnumerable<Afml.Core.MarketData.Candle> StreamClosedCandlesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            var i = 0;
            await foreach (var c in inner.StreamClosedCandlesAsync(ct))
            {
                if (i++ == n)
                {
                    stalled.TrySetResult();
                    await Task.Delay(Timeout.Infinite, ct);
                }
                yield return c;
            }
        }
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
