using System.Globalization;
using System.Text;
using Afml.Core;
using Afml.Core.Exchange.Binance;
using Afml.Core.Recording;
using Afml.Core.Session;
using Afml.Core.Venues;
using Afml.FakeBinance;
using Xunit.Abstractions;

namespace Afml.Tests.Session;

/// <summary>
/// Whole testnet sessions against the fake Binance over real HTTP/WebSocket with faults injected between candles:
/// what a venue that loses answers, drops streams, skews its clock, rate-limits or keeps failing does to a session.
/// Each test prints (and reports, see <see cref="TestReport"/>) what it injected and counted.
/// </summary>
public class SessionFaultTests(ITestOutputHelper output)
{
    private const int First = 18_000, History = 600;

    private static SessionOptions Testnet(FakeVenueSession s, int steps) => Connect(s.Options(VenueKind.Testnet, steps), c => c with
    {
        // A held answer counts as lost after a second (the fake holds it 30 s).
        ClientOptions = new BinanceOptions
        {
            RecvWindow = TimeSpan.FromSeconds(1),
            ReconcileMargin = TimeSpan.FromMilliseconds(200),
            RequestTimeout = TimeSpan.FromSeconds(1),
            ReconcilePollInterval = TimeSpan.FromMilliseconds(100),
        },
    });

    private static SessionOptions Connect(SessionOptions o, Func<BinanceConnection, BinanceConnection> adjust) => o with { Binance = adjust(o.Binance!) };

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static decimal VenuePosition(FakeVenueSession s) => s.Fake.Account.Position("BTCUSDT")?.Amount ?? 0m;

    /// <summary>The book's signed position after its last row: + long, − short.</summary>
    private static decimal BookPosition(RegistroRow last) =>
        last.PosicionAbierta != true || last.CantidadActiva is not { } q ? 0m
            : (decimal)q * (string.Equals(last.TipoPosicionActiva, "short", StringComparison.OrdinalIgnoreCase) ? -1 : 1);

    [Fact]
    public async Task Lost_answers_after_acceptance_never_duplicate_an_order_and_the_book_matches_the_venue()
    {
        const int steps = 60;
        var faults = new (string Name, Fault Fault)[]
        {
            ("timeout", Fault.TimeoutAfterAccept),
            ("drop", Fault.DropAfterAccept),
            ("500", Fault.Http500),
            ("502", Fault.Http502),
            ("503-unknown", Fault.Http503Unknown),
            ("-1007", Fault.Timeout1007),
        };
        await using var s = await FakeVenueSession.StartAsync(First, History, steps);
        var next = 0;
        var injectedBefore = new List<int>();
        var summary = await s.RunAsync(Testnet(s, steps), steps, i =>
        {
            // One at a time, each on the next order the session sends: several different steps of one session.
            if (i < 2 || next >= faults.Length || s.Fake.Faults.Pending.Count > 0) return;
            s.Fake.Faults.OnNext(FaultEndpoints.NewOrder, faults[next++].Fault);
            injectedBefore.Add(i);
        });

        var applied = s.Fake.Faults.Applied.Where(a => a.Endpoint == FaultEndpoints.NewOrder).ToList();
        var orders = s.Fake.Orders;
        var filledPerId = orders.Where(o => o.ExecutedQty > 0).GroupBy(o => o.ClientOrderId).ToDictionary(g => g.Key, g => g.Count());
        var duplicates = filledPerId.Count(kv => kv.Value > 1);
        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        var book = BookPosition(rows[^1]);
        var venue = VenuePosition(s);
        var sends = s.Fake.RequestLog.For(FaultEndpoints.NewOrder).Count;
        var lookups = s.Fake.RequestLog.For(FaultEndpoints.QueryOrder).Count;
        TestReport.Write(output, I($"fault-suite: lost-answers-after-accept injected={applied.Count} ({string.Join(",", faults.Take(next).Select(f => f.Name))} before candles {string.Join(",", injectedBefore)}) order-posts={sends} lookups={lookups} venue-orders={orders.Count} client-ids={filledPerId.Count} duplicates={duplicates} book-position={book} venue-position={venue} steps={summary.Steps} stop={summary.StopReason}"));

        Assert.Equal(faults.Length, applied.Count);
        Assert.Equal(0, duplicates);
        Assert.All(orders, o => Assert.StartsWith("afml-", o.ClientOrderId));
        Assert.Equal(summary.OrdersFilled, orders.Count(o => o.ExecutedQty > 0));
        Assert.Equal(venue, book);
        Assert.Equal(SessionStopReason.MaxSteps, summary.StopReason);
        Assert.Equal(steps, summary.Steps);
        Assert.Equal("ACTIVE", summary.TradingState);
    }

    [Fact]
    public async Task A_lagging_lookup_after_a_long_timeout_does_not_resend_a_filled_order()
    {
        // The answer is lost for longer than recvWindow + margin, then the first lookup says "does not exist"
        // although the order filled (Binance lagging behind itself): one such answer must not cause a resend.
        const int steps = 20;
        // The venue's clock runs while the answer is held, or the lookup would meet a -1021 instead.
        await using var s = await FakeVenueSession.StartAsync(First, History, steps, runningClock: true);
        var options = Connect(Testnet(s, steps), c => c with { ClientOptions = c.ClientOptions! with { RequestTimeout = TimeSpan.FromSeconds(2) } });
        var injected = 0;
        var summary = await s.RunAsync(options, steps, i =>
        {
            if (i < 2 || injected >= 2 || s.Fake.Faults.Pending.Count > 0) return;
            s.Fake.Faults.OnNext(FaultEndpoints.NewOrder, Fault.TimeoutAfterAccept);
            s.Fake.Faults.OnNext(FaultEndpoints.QueryOrder, Fault.TransientNotFound);
            injected++;
        },
        // The session runs on the venue's clock: a POST whose fault is meant to be accepted never meets a -1021 from
        // the hour the fake jumps (with the user stream keeping the account, the order is a step's first signed call).
        host: h => h with { Time = s.Clock });

        var applied = s.Fake.Faults.Applied.Count;
        var absentAnswers = s.Fake.RequestLog.For(FaultEndpoints.QueryOrder).Count(e => e.ErrorCode == -2013);
        var duplicates = s.Fake.Orders.Where(o => o.ExecutedQty > 0).GroupBy(o => o.ClientOrderId).Count(g => g.Count() > 1);
        var venue = VenuePosition(s);
        var book = BookPosition(RegistroReader.Read(summary.RegistroPath).Last());
        TestReport.Write(output, I($"fault-suite: lagging-lookup injected={applied} (timeout-after-accept + transient -2013, x{injected}) does-not-exist-answers={absentAnswers} order-posts={s.Fake.RequestLog.For(FaultEndpoints.NewOrder).Count} venue-orders={s.Fake.Orders.Count} duplicates={duplicates} book-position={book} venue-position={venue} steps={summary.Steps} stop={summary.StopReason}"));

        Assert.Equal(4, applied);
        Assert.Equal(2, injected);
        // Each lagging lookup was met: one "does not exist" answer per injected pair, and the session looked again.
        Assert.Equal(injected, absentAnswers);
        var timedOut = s.Fake.RequestLog.For(FaultEndpoints.NewOrder).Where(e => e.Fault == FaultKind.TimeoutAfterAccept).Select(e => e.ClientOrderId!).ToList();
        Assert.Equal(injected, timedOut.Count);
        foreach (var id in timedOut)
        {
            // Never resent: one POST for that id, the one the venue accepted and filled.
            Assert.Single(s.Fake.RequestLog.For(FaultEndpoints.NewOrder), e => e.ClientOrderId == id);
            Assert.Single(s.Fake.Orders, o => o.ClientOrderId == id && o.ExecutedQty > 0);
            Assert.True(s.Fake.RequestLog.For(FaultEndpoints.QueryOrder).Count(e => e.ClientOrderId == id) >= 2, $"{id}: the lookup was not repeated after the lagging answer");
        }
        // Every order POST the venue accepted made exactly one venue order: no resend anywhere in the session. (A POST
        // the venue refused, e.g. -1021 while the fake's clock jumps a candle, makes none and is sent again after a resync.)
        Assert.Equal(s.Fake.RequestLog.For(FaultEndpoints.NewOrder).Count(e => e.ErrorCode is null), s.Fake.Orders.Count);
        Assert.Equal(0, duplicates);
        Assert.Equal(venue, book);
        Assert.Equal(SessionStopReason.MaxSteps, summary.StopReason);
        Assert.Equal(steps, summary.Steps);
    }

    [Fact]
    public async Task Stream_drops_late_finals_duplicates_and_reordering_lose_and_repeat_no_candle()
    {
        const int steps = 30;
        var plan = new Dictionary<int, (string Name, Fault Fault)>
        {
            [3] = ("drop-mid-candle", Fault.StreamDropMidCandle),
            [6] = ("late-final", Fault.StreamLateFinal(TimeSpan.FromMilliseconds(700))),
            [9] = ("duplicate", Fault.StreamDuplicate),
            [12] = ("out-of-order", Fault.StreamOutOfOrder),
            [15] = ("drop-mid-candle", Fault.StreamDropMidCandle),
            [18] = ("duplicate", Fault.StreamDuplicate),
            [19] = ("out-of-order", Fault.StreamOutOfOrder),
            [22] = ("late-final", Fault.StreamLateFinal(TimeSpan.FromMilliseconds(700))),
            [25] = ("drop-mid-candle", Fault.StreamDropMidCandle),
        };
        await using var s = await FakeVenueSession.StartAsync(First, History, steps);
        var summary = await s.RunAsync(Testnet(s, steps), steps, i =>
        {
            if (plan.TryGetValue(i, out var f)) s.Fake.Faults.OnNext(FaultEndpoints.KlineStream, f.Fault);
        });

        var published = s.Slice.Skip(History).Take(steps).Select(c => c.OpenTime).ToList();
        var recorded = RegistroReader.Read(summary.RegistroPath).Select(r => r.OpenTime!.Value.ToUnixTimeMilliseconds()).ToList();
        var lost = published.Except(recorded).Count();
        var repeated = recorded.Count - recorded.Distinct().Count();
        var gaps = recorded.Zip(recorded.Skip(1)).Count(p => p.Second - p.First != 3_600_000);
        var applied = s.Fake.Faults.Applied.Count(a => a.Endpoint == FaultEndpoints.KlineStream);
        var backfills = s.Fake.RequestLog.For("GET /fapi/v1/klines").Count;
        TestReport.Write(output, I($"fault-suite: stream-faults injected={applied} ({string.Join(",", plan.Values.Select(v => v.Name))}) published={published.Count} recorded={recorded.Count} lost={lost} duplicated={repeated} gaps={gaps} klines-rest-calls={backfills} steps={summary.Steps} stop={summary.StopReason}"));

        Assert.Equal(plan.Count, applied);
        Assert.Equal(published, recorded);
        Assert.Equal(0, lost);
        Assert.Equal(0, repeated);
        Assert.Equal(0, gaps);
        Assert.Equal(SessionStopReason.MaxSteps, summary.StopReason);
    }

    [Fact]
    public async Task A_venue_clock_skewed_mid_session_is_resynced_and_orders_still_go_through()
    {
        const int steps = 40, skewAt = 10, backAt = 25;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps, o => o with { ListenKeyTtl = TimeSpan.FromDays(3) }) /* a stream that stays up: no reconnect re-read beside the step */;
        DateTimeOffset? skewedAt = null, behindAt = null;
        var summary = await s.RunAsync(Testnet(s, steps), steps, i =>
        {
            if (i == skewAt)
            {
                s.Fake.ClockOffset = TimeSpan.FromSeconds(30);
                skewedAt = s.Fake.ServerTime + TimeSpan.FromHours(1);
            }
            if (i == backAt)
            {
                s.Fake.ClockOffset = TimeSpan.FromSeconds(-30);
                behindAt = s.Fake.ServerTime + TimeSpan.FromHours(1);
            }
        });

        var log = s.Fake.RequestLog.Entries;
        var rejected1021 = log.Count(e => e.ErrorCode == -1021);
        var rejectedAfterSkew = log.Count(e => e.ErrorCode == -1021 && e.ServerTime >= skewedAt);
        var syncs = log.Count(e => e.Endpoint == "GET /fapi/v1/time");
        var ordersAfterSkew = s.Fake.Orders.Count(o => o.ExecutedQty > 0 && o.Time >= skewedAt!.Value.ToUnixTimeMilliseconds());
        // From candle backAt on, the venue runs 30 s behind the session's last sync (on top of the hour the fake's clock
        // jumps each candle): each candle's first signed call meets a -1021, the session resyncs and goes on.
        var rejectedWhileBehind = log.Count(e => e.ErrorCode == -1021 && e.ServerTime >= behindAt);
        var ordersWhileBehind = s.Fake.Orders.Count(o => o.ExecutedQty > 0 && o.Time >= behindAt!.Value.ToUnixTimeMilliseconds());
        var syncsWhileBehind = log.Count(e => e.Endpoint == "GET /fapi/v1/time" && e.ServerTime >= behindAt);
        var failedSigned = log.Count(e => e.SignatureValid == true && e.Status >= 400 && e.ErrorCode != -1021);
        TestReport.Write(output, I($"fault-suite: clock-skew offset=+30s@candle{skewAt},-30s@candle{backAt} rejected-1021={rejected1021} (after-skew={rejectedAfterSkew}, while-behind={rejectedWhileBehind}) time-syncs={syncs} (while-behind={syncsWhileBehind}) orders-after-skew={ordersAfterSkew} (while-behind={ordersWhileBehind}) other-signed-failures={failedSigned} steps={summary.Steps} stop={summary.StopReason}"));

        Assert.True(rejectedAfterSkew > 0, "the skew was never seen by a signed call");
        Assert.True(ordersAfterSkew > 0, "no order went through after the skew");
        // The −30 s skew: seen by a signed call, resynced, and orders still filled while the venue was behind.
        Assert.True(rejectedWhileBehind > 0, "the −30 s skew was never seen by a signed call");
        Assert.True(syncsWhileBehind > 0, "no time sync after the −30 s skew");
        Assert.True(ordersWhileBehind > 0, "no order went through while the venue was 30 s behind");
        // One resync cures each: at most one -1021 per candle while the venue is behind.
        Assert.True(rejectedWhileBehind <= steps - backAt, $"{rejectedWhileBehind} rejections over {steps - backAt} candles while behind");
        // Only -1021s fail: every other signed call succeeded, both skews included.
        Assert.Equal(0, failedSigned);
        Assert.Equal(SessionStopReason.MaxSteps, summary.StopReason);
        Assert.Equal("ACTIVE", summary.TradingState);
        Assert.Equal(steps, summary.Steps);
        Assert.Equal(VenuePosition(s), BookPosition(RegistroReader.Read(summary.RegistroPath).Last()));
    }

    [Fact]
    public async Task A_429_is_backed_off_without_ever_earning_a_418()
    {
        const int steps = 30;
        var at = new[] { 4, 9, 14, 20 };
        // The venue's clock runs between candles, as Binance's does: Retry-After is measured on it. A listenKey that
        // outlives the hour the fake jumps each candle: otherwise the user stream reconnects every candle and its REST
        // re-read runs beside the step's own calls (two requests in flight when a 429 comes back).
        await using var s = await FakeVenueSession.StartAsync(First, History, steps, o => o with { ListenKeyTtl = TimeSpan.FromDays(3) }, runningClock: true);
        var summary = await s.RunAsync(Testnet(s, steps), steps, i =>
        {
            if (at.Contains(i)) s.Fake.Faults.OnNext(FaultEndpoints.AnyRest, Fault.RateLimited);
            if (i == at[^1]) s.Fake.Faults.OnNext(FaultEndpoints.NewOrder, Fault.RateLimited);
        });

        var log = s.Fake.RequestLog.Entries;
        var tooMany = log.Count(e => e.Status == 429);
        var banned = log.Count(e => e.Status == 418);
        var applied = s.Fake.Faults.Applied.Count(a => a.Fault.Kind == FaultKind.RateLimited);
        // The back-off on the venue's clock: from each 429 to the next request anyone sent.
        var waits = log.Select((e, k) => (e, k)).Where(x => x.e.Status == 429 && x.k + 1 < log.Count)
            .Select(x => log[x.k + 1].ServerTime - x.e.ServerTime).ToList();
        TestReport.Write(output, I($"fault-suite: rate-limit injected={applied} answered-429={tooMany} answered-418={banned} min-wait-after-429={(waits.Count > 0 ? waits.Min().TotalMilliseconds : 0):F0}ms endpoints={string.Join(",", s.Fake.Faults.Applied.Select(a => a.Endpoint).Distinct())} steps={summary.Steps} stop={summary.StopReason}"));

        Assert.Equal(at.Length + 1, applied);
        Assert.Equal(applied, tooMany);
        Assert.Equal(0, banned);
        Assert.All(waits, w => Assert.True(w >= Fault.RateLimited.RetryAfter, $"sent again {w.TotalMilliseconds} ms after a 429"));
        Assert.Equal(SessionStopReason.MaxSteps, summary.StopReason);
        Assert.Equal("ACTIVE", summary.TradingState);
        Assert.Equal(steps, summary.Steps);
    }

    /// <summary>Runs until a position is open, then makes the next order fail definitely three times (nothing
    /// executed, retried by <c>OperationRetry</c>): the session must run the emergency protocol.</summary>
    private static async Task<(SessionSummary Summary, int InjectedBefore)> RunToEmergencyAsync(FakeVenueSession s, int steps)
    {
        var injectedBefore = -1;
        var summary = await s.RunAsync(Testnet(s, steps), steps, i =>
        {
            if (injectedBefore >= 0) return;
            if (s.Events.OfType<SessionStep>().LastOrDefault() is { Row.PosicionAbierta: true })
            {
                s.Fake.Faults.OnNext(FaultEndpoints.NewOrder, Fault.Http503ServiceUnavailable, times: 3);
                injectedBefore = i;
            }
        });
        return (summary, injectedBefore);
    }

    [Fact]
    public async Task Three_failed_attempts_run_the_emergency_protocol_halt_and_close_the_venue_position()
    {
        const int steps = 60;
        await using var s = await FakeVenueSession.StartAsync(First, History, steps);
        var (summary, injectedBefore) = await RunToEmergencyAsync(s, steps);

        var failed = s.Fake.RequestLog.For(FaultEndpoints.NewOrder).Where(e => e.Fault == FaultKind.ErrorResponse).ToList();
        var failedId = failed.Select(e => e.ClientOrderId).Distinct().Single();
        var emergencyRows = summary.EmergencyPath is { } p && File.Exists(p) ? File.ReadAllLines(p).Length - 1 : 0;
        var venue = VenuePosition(s);
        var emergencyOrder = s.Fake.Orders.SingleOrDefault(o => o.ClientOrderId.EndsWith("-em", StringComparison.Ordinal));
        TestReport.Write(output, I($"fault-suite: emergency injected=503-service-unavailable x3 before candle {injectedBefore} attempts={failed.Count} on {failedId} emergencias-rows={emergencyRows} state={summary.TradingState} stop={summary.StopReason} closing-order={emergencyOrder?.Status ?? "none"} venue-position={venue} steps={summary.Steps}"));

        Assert.True(injectedBefore >= 0, "no position was ever open");
        Assert.Equal(3, failed.Count);
        Assert.DoesNotContain(s.Fake.Orders, o => o.ClientOrderId == failedId);
        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
        Assert.Equal("HALTED", summary.TradingState);
        Assert.Equal(1, emergencyRows);
        Assert.Contains("fallo_operacion", File.ReadAllText(summary.EmergencyPath!), StringComparison.Ordinal);
        Assert.NotNull(emergencyOrder);
        Assert.Equal("FILLED", emergencyOrder.Status);
        Assert.Equal(0m, venue);
        var last = RegistroReader.Read(summary.RegistroPath).Last();
        Assert.Equal(TradingSession.EmergencyActionType, last.TipoAccion);
        Assert.False(last.PosicionAbierta == true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_wrong_secret_or_key_fails_the_start_with_CredentialsRejected_naming_the_variables_not_the_secret(bool wrongKey)
    {
        const int steps = 5;
        const string wrongSecret = "afml-WRONG-secret-never-print-1a2b3c4d5e6f";
        await using var s = await FakeVenueSession.StartAsync(First, History, steps);
        var options = Connect(Testnet(s, steps), c => c with
        {
            Credentials = wrongKey
                ? new BinanceCredentials("afml-unknown-key-0000000000", FakeVenueSession.ApiSecret)
                : new BinanceCredentials(FakeVenueSession.ApiKey, wrongSecret),
        });

        var ex = await Assert.ThrowsAsync<AfmlException>(() => s.RunAsync(options, steps));

        output.WriteLine($"{ex.ErrorId} ({ex.Category}): {ex.Message}");
        Assert.Equal("CredentialsRejected", ex.ErrorId);
        Assert.Equal(AfmlErrorCategory.AuthenticationError, ex.Category);
        Assert.Contains(BinanceCredentials.TestnetKeyVariable, ex.Message, StringComparison.Ordinal);
        Assert.Contains(BinanceCredentials.TestnetSecretVariable, ex.Message, StringComparison.Ordinal);
        Assert.Contains("binance-testnet", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongSecret, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(FakeVenueSession.ApiSecret, ex.ToString(), StringComparison.Ordinal);
        if (!wrongKey) Assert.All(s.Fake.RequestLog.Entries.Where(e => e.SignatureValid is not null), e => Assert.False(e.SignatureValid));
        Assert.Empty(s.Fake.Orders);
    }

    [Fact]
    public async Task The_api_secret_appears_in_no_file_message_or_exception_on_normal_and_failure_paths()
    {
        const string wrongSecret = "afml-WRONG-secret-never-print-1a2b3c4d5e6f";
        var texts = new List<(string Where, string Text)>();
        var files = new List<(string Where, byte[] Bytes)>();

        // Normal steps, then an order failing three times and the emergency protocol.
        await using (var s = await FakeVenueSession.StartAsync(First, History, 60))
        {
            var (summary, injectedBefore) = await RunToEmergencyAsync(s, 60);
            Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
            Assert.True(injectedBefore >= 0);
            Collect(s, summary.ToString() ?? "");
        }
        // Every signed call rejected.
        await using (var w = await FakeVenueSession.StartAsync(First, History, 5))
        {
            var options = Connect(Testnet(w, 5), c => c with { Credentials = new BinanceCredentials(FakeVenueSession.ApiKey, wrongSecret) });
            var ex = await Assert.ThrowsAsync<AfmlException>(() => w.RunAsync(options, 5));
            Collect(w, ex.ToString());
            texts.Add(("exception message", ex.Message));
        }

        var forbidden = Forms(FakeVenueSession.ApiSecret).Concat(Forms(wrongSecret)).ToList();
        var leaks = new List<string>();
        foreach (var (where, text) in texts)
            leaks.AddRange(forbidden.Where(f => text.Contains(f, StringComparison.OrdinalIgnoreCase)).Select(f => $"{where}: {f}"));
        foreach (var (where, bytes) in files)
        {
            var asText = Encoding.UTF8.GetString(bytes); // also catches forms inside a zip's stored (uncompressed) entries
            var latin = Encoding.Latin1.GetString(bytes);
            leaks.AddRange(forbidden.Where(f => asText.Contains(f, StringComparison.OrdinalIgnoreCase) || latin.Contains(f, StringComparison.OrdinalIgnoreCase)).Select(f => $"{where}: {f}"));
        }
        TestReport.Write(output, I($"fault-suite: secret-grep files={files.Count} bytes={files.Sum(f => f.Bytes.Length)} messages={texts.Count} forms-searched={forbidden.Count} leaks={leaks.Count}"));
        foreach (var (where, _) in files) output.WriteLine("  scanned " + where);

        Assert.Empty(leaks);
        Assert.Contains(files, f => f.Where.Contains("registro", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(files, f => f.Where.Contains("emergencia", StringComparison.OrdinalIgnoreCase));

        void Collect(FakeVenueSession s, string extra)
        {
            foreach (var path in Directory.EnumerateFiles(s.Harness.Root, "*", SearchOption.AllDirectories))
                files.Add((Path.GetRelativePath(s.Harness.Root, path), File.ReadAllBytes(path)));
            foreach (var e in s.Events)
                texts.Add(("event", e is SessionLog l ? l.Message : e.ToString() ?? ""));
            texts.Add(("summary/exception", extra));
        }
    }

    /// <summary>The secret as text, as the hex and base64 of its UTF-8 bytes.</summary>
    private static IEnumerable<string> Forms(string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        yield return secret;
        yield return Convert.ToHexString(bytes); // compared ignoring case: covers lower-case hex too
        yield return Convert.ToBase64String(bytes);
        yield return Convert.ToBase64String(bytes).TrimEnd('=');
    }
}
