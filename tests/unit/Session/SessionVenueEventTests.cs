using System.Diagnostics;
using System.Globalization;
using Afml.Core.Recording;
using Afml.Core.Session;
using Xunit.Abstractions;

namespace Afml.Tests.Session;

/// <summary>
/// Fills the session did not send, reported by the user-data stream between candles (a trade placed by hand, the
/// liquidation engine): a whole testnet session over real HTTP/WebSocket on the fake records each as it happens — a
/// registro row with its reason naming the order, the book at the venue's position — not at the next candle.
/// </summary>
public class SessionVenueEventTests(ITestOutputHelper output)
{
    private const int First = 18_000, History = 600;
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(10);

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static decimal BookPosition(RegistroRow last) =>
        last.PosicionAbierta != true || last.CantidadActiva is not { } q ? 0m
            : (decimal)q * (string.Equals(last.TipoPosicionActiva, "short", StringComparison.OrdinalIgnoreCase) ? -1 : 1);

    [Fact]
    public async Task Manual_trade_and_liquidation_between_candles_are_recorded_within_a_second_with_the_book_at_the_venue()
    {
        const int steps = 4, injectBefore = 2;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps,
            // The fake's clock jumps an hour a candle: a listenKey that outlives the test keeps the stream up (an event
            // sent while the stream reconnects is the next step's REST reconciliation's, not this test's).
            o => o with { ListenKeyTtl = TimeSpan.FromDays(1) });
        SessionHost? host = null;
        var measured = new List<(string Reason, TimeSpan Elapsed, decimal Book, decimal Venue, RegistroRow? Row)>();

        var summary = await s.RunAsync(s.Options(VenueKind.Testnet, steps), steps, i =>
        {
            if (i != injectBefore) return;
            var path = host!.Parts.Registro.Path;
            Assert.True(s.Fake.WaitForUserConnectionsAsync(1, GiveUp).GetAwaiter().GetResult(), "the user-data stream never connected");
            // Between candles: the session has decided on candle i and waits for the next one.
            var manual = s.Fake.InjectManualTrade("BUY", 0.010m);
            measured.Add(WaitForEventRow(path, manual.ClientOrderId, "operacion_manual", s));
            var liquidation = s.Fake.InjectLiquidation();
            Assert.NotNull(liquidation);
            measured.Add(WaitForEventRow(path, liquidation.ClientOrderId, "liquidacion", s));
        }, started: h => host = h);

        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        var eventRows = rows.Where(r => r.TipoAccion == TradingSession.VenueEventActionType).ToList();
        var recorded = measured.Count(m => m.Row is not null);
        var late = measured.Count(m => m.Row is null || m.Elapsed > Promptly);
        var venueEnd = s.Fake.Account.Position("BTCUSDT")?.Amount ?? 0m;
        TestReport.Write(output, I($"fault-suite: venue-events injected={measured.Count} recorded={recorded} later-than-1s={late} latency-ms={string.Join(",", measured.Select(m => m.Elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)))} event-rows={eventRows.Count} book-vs-venue-after={string.Join(",", measured.Select(m => $"{m.Book}/{m.Venue}"))} book-position={BookPosition(rows[^1])} venue-position={venueEnd} steps={summary.Steps} stop={summary.StopReason}"));

        foreach (var e in s.Events.OfType<SessionLog>().Where(e => e.Level >= SessionLogLevel.Warning || e.Message.Contains("venue", StringComparison.OrdinalIgnoreCase)))
            output.WriteLine(I($"{e.Time:HH:mm:ss.fff} {e.Level}: {e.Message}"));
        Assert.Equal(2, measured.Count);
        Assert.Equal(2, recorded);
        Assert.Equal(0, late);
        // Each row: its reason, the order named, the book at the venue's position at that moment.
        foreach (var m in measured)
        {
            Assert.Equal(m.Venue, m.Book);
            Assert.Equal(m.Reason, m.Row!.Operacion);
            Assert.True(m.Row.Resultado);
        }
        Assert.Equal(0m, measured[1].Venue); // the liquidation closed everything
        // No duplicates: one row per event, and the next step does not reconcile it again; the steps are unchanged.
        Assert.Equal(2, eventRows.Count);
        Assert.Equal(1, eventRows.Count(r => r.Operacion == "operacion_manual"));
        Assert.Equal(1, eventRows.Count(r => r.Operacion == "liquidacion"));
        Assert.Equal(steps, rows.Count(r => r.TipoAccion != TradingSession.VenueEventActionType));
        Assert.Equal(steps, summary.Steps);
        Assert.Equal(SessionStopReason.MaxSteps, summary.StopReason);
        Assert.Equal(venueEnd, BookPosition(rows[^1]));
        Assert.All(eventRows, r => Assert.Equal(injectBefore, r.Paso));
    }

    [Fact]
    public async Task ADL_is_recorded_within_a_second_and_a_manual_trade_missed_during_a_stream_reconnect_is_recorded_once_after_it()
    {
        const int steps = 4, injectBefore = 2;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps, o => o with { ListenKeyTtl = TimeSpan.FromDays(1) });
        SessionHost? host = null;
        var live = new List<(string Reason, TimeSpan Elapsed, decimal Book, decimal Venue, RegistroRow? Row)>();
        (string Reason, TimeSpan Elapsed, decimal Book, decimal Venue, RegistroRow? Row) missed = default;
        string? missedId = null;

        var summary = await s.RunAsync(s.Options(VenueKind.Testnet, steps), steps, i =>
        {
            if (i != injectBefore) return;
            var path = host!.Parts.Registro.Path;
            Assert.True(s.Fake.WaitForUserConnectionsAsync(1, GiveUp).GetAwaiter().GetResult(), "the user-data stream never connected");
            var manual = s.Fake.InjectManualTrade("BUY", 0.010m);
            live.Add(WaitForEventRow(path, manual.ClientOrderId, "operacion_manual", s));
            var adl = s.Fake.InjectLiquidation(adl: true);
            Assert.NotNull(adl);
            live.Add(WaitForEventRow(path, adl.ClientOrderId, "adl", s));
            // The listenKey expires and the client makes another: a trade placed in between is never on the stream.
            s.Fake.ExpireListenKey();
            var lost = s.Fake.InjectManualTrade("BUY", 0.020m);
            missedId = lost.ClientOrderId;
            missed = WaitForEventRow(path, lost.ClientOrderId, "operacion_manual", s);
        }, started: h => host = h);

        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        var eventRows = rows.Where(r => r.TipoAccion == TradingSession.VenueEventActionType).ToList();
        var late = live.Count(m => m.Row is null || m.Elapsed > Promptly);
        var missedRows = eventRows.Count(r => r.Error?.Contains(missedId!, StringComparison.Ordinal) == true);
        var venueEnd = s.Fake.Account.Position("BTCUSDT")?.Amount ?? 0m;
        TestReport.Write(output, I($"fault-suite: venue-events adl+manual injected={live.Count} later-than-1s={late} latency-ms={string.Join(",", live.Select(m => m.Elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)))} missed-during-reconnect rows={missedRows} after-ms={missed.Elapsed.TotalMilliseconds:F0} book/venue={missed.Book}/{missed.Venue} event-rows={eventRows.Count} steps={summary.Steps}"));
        foreach (var e in s.Events.OfType<SessionLog>().Where(e => e.Level >= SessionLogLevel.Warning || e.Message.Contains("stream", StringComparison.OrdinalIgnoreCase)))
            output.WriteLine(I($"{e.Time:HH:mm:ss.fff} {e.Level}: {e.Message}"));

        Assert.Equal(0, late);
        foreach (var m in live.Append(missed))
        {
            Assert.NotNull(m.Row);
            Assert.Equal(m.Reason, m.Row!.Operacion);
            Assert.Equal(m.Venue, m.Book);
        }
        Assert.Equal(0m, live[1].Venue); // ADL closed the whole position
        Assert.Equal(1, missedRows);     // once: not doubled by the stream, not reconciled again by the next step
        Assert.Equal(3, eventRows.Count);
        Assert.Equal(steps, summary.Steps);
        Assert.Equal(venueEnd, BookPosition(rows[^1]));
        Assert.DoesNotContain(rows.Where(r => r.TipoAccion != TradingSession.VenueEventActionType), r => r.Error?.Contains("reconcil", StringComparison.OrdinalIgnoreCase) == true);
    }

    /// <summary>Bounded poll of the registro file (every few ms, at most <see cref="GiveUp"/>) for the event's row.</summary>
    private static (string, TimeSpan, decimal, decimal, RegistroRow?) WaitForEventRow(string path, string clientOrderId, string reason, FakeVenueSession s)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < GiveUp)
        {
            var rows = RegistroReader.Read(path).ToList();
            var row = rows.FirstOrDefault(r => r.TipoAccion == TradingSession.VenueEventActionType && r.Error?.Contains(clientOrderId, StringComparison.Ordinal) == true);
            if (row is not null)
            {
                var elapsed = clock.Elapsed;
                return (reason, elapsed, BookPosition(row), s.Fake.Account.Position("BTCUSDT")?.Amount ?? 0m, row);
            }
            Thread.Sleep(5);
        }
        return (reason, clock.Elapsed, 0m, s.Fake.Account.Position("BTCUSDT")?.Amount ?? 0m, null);
    }
}
