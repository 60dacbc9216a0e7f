using System.Diagnostics;
using System.Globalization;
using Afml.Core.Exchange.Binance;
using Afml.Core.Recording;
using Afml.Core.Risk;
using Afml.Core.Session;
using Afml.FakeBinance;
using Xunit.Abstractions;

namespace Afml.Tests.Session;

/// <summary>
/// The drawdown monitor between candles (issue 10, layer 1), whole sessions over real HTTP/WebSocket on the fake: the
/// price crashes inside a candle (an x=false update and its mark), the monitor sees the limit crossed on the mark and
/// the emergency protocol runs then, not at the candle's close; the 80 % warning is written once; with the mark stream
/// silent the premiumIndex fallback keeps the monitor working.
/// </summary>
public class DrawdownMonitorSessionTests(ITestOutputHelper output)
{
    private const int First = 18_000, History = 600, Steps = 6, CrashBefore = 2;
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(2);

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>Open a long on the first decision, then hold: the position the crash hits is known.</summary>
    private static SessionParts LongThenHold(SessionParts p) =>
        p with { Policy = new ScriptedPolicy(p.Policy.Shape, [0.8f, .. Enumerable.Repeat(0f, Steps)]) };

    private sealed record Measured(TimeSpan MarkToRow, long MarkToCloseOrderMs, int Warnings, RegistroRow? Row, double CrashPrice);

    [Theory]
    [InlineData(VenueKind.Testnet)]
    [InlineData(VenueKind.Paper)]
    public async Task A_crash_inside_a_candle_runs_the_protocol_within_two_seconds_of_the_mark_and_warns_once_at_80_percent(VenueKind venue)
    {
        await using var s = await FakeVenueSession.StartAsync(First, History, Steps, o => o with { ListenKeyTtl = TimeSpan.FromDays(1) }, runningClock: true);
        SessionHost? host = null;
        Measured? measured = null;
        var summary = await s.RunAsync(MonitorAlone(s.Options(venue, Steps)), Steps, i =>
        {
            if (i == CrashBefore) measured = CrashInsideTheCandle(s, host!);
        }, host: h => h with { Adjust = LongThenHold }, started: h => host = h);

        Assert.NotNull(measured);
        var m = measured!;
        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        var emergencies = File.Exists(host!.Parts.Emergencies.Path) ? File.ReadAllLines(host.Parts.Emergencies.Path).Skip(1).ToArray() : [];
        var crossed = host.Monitor!.LimitCrossings;
        var closedByMonitor = m.Row is { TipoAccion: TradingSession.EmergencyActionType } r && r.Error!.Contains("monitor entre velas", StringComparison.Ordinal) ? 1 : 0;
        var fakeOpen = venue == VenueKind.Testnet ? s.Fake.Account.Position("BTCUSDT")?.Amount ?? 0m : 0m;
        var leftOpen = (rows[^1].PosicionAbierta ? 1 : 0) + (fakeOpen != 0m ? 1 : 0);
        var warningLines = s.Events.OfType<SessionLog>().Count(e => e.Message.Contains("del límite", StringComparison.Ordinal));
        TestReport.Write(output, I($"fault-suite: drawdown-monitor venue={venue} breaches crossed between candles={crossed} breaches closed by the monitor={closedByMonitor} breaches left open={leftOpen} mark-to-row-ms={m.MarkToRow.TotalMilliseconds:F0} mark-to-close-order-ms(fake clock)={m.MarkToCloseOrderMs} warnings-80%={warningLines} steps={summary.Steps} stop={summary.StopReason}"));
        foreach (var e in s.Events.OfType<SessionLog>().Where(e => e.Level >= SessionLogLevel.Warning)) output.WriteLine(I($"{e.Time:HH:mm:ss.fff} {e.Level}: {e.Message}"));

        Assert.Equal(1, crossed);
        Assert.Equal(1, closedByMonitor);
        Assert.Equal(0, leftOpen);
        Assert.True(m.MarkToRow <= Promptly, $"the protocol's row came {m.MarkToRow.TotalMilliseconds:F0} ms after the mark");
        Assert.Equal(1, m.Warnings);
        Assert.Equal(1, warningLines);
        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
        // Between candles: the crash candle never closed for the session, step B did not run on it.
        Assert.Equal(CrashBefore, rows.Count(row => row.TipoAccion != TradingSession.EmergencyActionType));
        Assert.Equal(CrashBefore + 1, m.Row!.Paso);
        Assert.Single(emergencies);
        Assert.Contains("max_drawdown_excedido", emergencies[0], StringComparison.Ordinal);
        if (venue == VenueKind.Testnet)
        {
            Assert.InRange(m.MarkToCloseOrderMs, 0, (long)Promptly.TotalMilliseconds);
            Assert.Equal(0m, fakeOpen);
        }
        else
        {
            Assert.Equal(m.CrashPrice, m.Row.Precio, 6); // paper: closed at the mark, as a market order would be
        }
        // Status: the last mark and when it came.
        var status = SessionStatusFile.Read(host.Parts.Status.Path);
        Assert.NotNull(status.LastMarkAt);
        Assert.True(status.LastMarkPrice > 0);
    }

    /// <summary>Between candles (the session waits for candle <see cref="CrashBefore"/>+1): the price goes to 85 % then
    /// 90 % of the limit (one warning), then through the limit; measures the time from that mark to the protocol's row.</summary>
    private Measured CrashInsideTheCandle(FakeVenueSession s, SessionHost host)
    {
        var book = host.Parts.Book; // the loop is idle, waiting for the next candle
        Assert.NotNull(book.Position);
        var limit = host.Parts.Config.Environment.MaxDrawdown;
        double At(double fraction) => DrawdownStopPrice.Of(book.Balance, book.Position, book.PeakEquity, limit * fraction)!.Value;
        var monitor = host.Monitor!;
        foreach (var f in new[] { 0.85, 0.9 })
        {
            var price = Math.Round(At(f), 1);
            s.Fake.PublishInProgress(price);
            WaitUntil(() => monitor.LastMark is { } last && Math.Abs(last.Price - price) < 1e-6, $"mark {price} at {f:P0} of the limit");
        }
        var warnings = monitor.Warnings;
        var crash = Math.Round(At(1.0) * 0.99, 1);
        var path = host.Parts.Registro.Path;
        var clock = Stopwatch.StartNew();
        var markTime = s.Fake.PublishInProgress(crash);
        RegistroRow? row = null;
        while (clock.Elapsed < GiveUp && row is null)
        {
            row = RegistroReader.Read(path).LastOrDefault(r => r.TipoAccion == TradingSession.EmergencyActionType);
            if (row is null) Thread.Sleep(5);
        }
        var elapsed = clock.Elapsed;
        var close = s.Fake.Orders.LastOrDefault(o => o.ReduceOnly);
        return new Measured(elapsed, close is null ? -1 : close.UpdateTime - markTime, warnings, row, crash);
    }

    [Fact]
    public async Task With_the_mark_stream_silent_premiumIndex_keeps_the_monitor_working()
    {
        await using var s = await FakeVenueSession.StartAsync(First, History, Steps, o => o with { ListenKeyTtl = TimeSpan.FromDays(1) }, runningClock: true);
        s.Fake.Faults.OnNext(FaultEndpoints.MarkPriceStream, Fault.StreamSilent, times: 1000);
        SessionHost? host = null;
        Measured? measured = null;
        var testnet = MonitorAlone(s.Options(VenueKind.Testnet, Steps));
        var options = testnet with
        {
            MonitorPeriod = TimeSpan.FromMilliseconds(250),
            Binance = testnet.Binance! with { MarkPrices = new MarkPriceOptions { SilenceTimeout = TimeSpan.FromMilliseconds(500) } },
        };
        var summary = await s.RunAsync(options, Steps, i =>
        {
            if (i == CrashBefore) measured = CrashInsideTheCandle(s, host!);
        }, host: h => h with { Adjust = LongThenHold }, started: h => host = h);

        var polls = s.Fake.RequestLog.For("GET /fapi/v1/premiumIndex").Count;
        TestReport.Write(output, I($"fault-suite: drawdown-monitor mark stream silent: marks-sent={s.Fake.MarkPricesSent} premiumIndex-polls={polls} closed-by-monitor={(measured?.Row?.Error?.Contains("monitor entre velas", StringComparison.Ordinal) == true ? 1 : 0)} mark-to-row-ms={measured?.MarkToRow.TotalMilliseconds:F0} stop={summary.StopReason}"));
        Assert.Equal(0, s.Fake.MarkPricesSent);
        Assert.True(polls > 0, "premiumIndex was never polled");
        Assert.NotNull(measured?.Row);
        Assert.Contains("monitor entre velas", measured!.Row!.Error, StringComparison.Ordinal);
        Assert.True(measured.MarkToRow <= Promptly, $"the protocol's row came {measured.MarkToRow.TotalMilliseconds:F0} ms after the crash");
        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
        Assert.Equal(0m, s.Fake.Account.Position("BTCUSDT")?.Amount ?? 0m);
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > GiveUp) throw new TimeoutException($"the monitor never saw the {what}");
            Thread.Sleep(5);
        }
    }

    /// <summary>Layer 1 alone: without the exchange-resident stop (layer 2, tested in its own suite), which a crash
    /// past both would otherwise trigger first, so these figures are the monitor's.</summary>
    private static SessionOptions MonitorAlone(SessionOptions o) =>
        o.Binance is { } b ? o with { Binance = b with { ProtectiveStop = false } } : o;
}
