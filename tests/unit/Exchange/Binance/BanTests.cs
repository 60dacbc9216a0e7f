using System.Globalization;
using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;
using Afml.FakeBinance;
using Afml.Tests.Session;
using Xunit.Abstractions;

namespace Afml.Tests.Exchange.Binance;

/// <summary>418 bans as Binance announces them, over real sockets on the fake with a fake clock: nothing is sent until
/// the ban is over, by any client of the same host.</summary>
public class BanTests(ITestOutputHelper output)
{
    private const long Start = 1_672_531_200_000, Hour = 3_600_000;

    [Fact]
    public async Task A_418_whose_body_bans_for_hours_keeps_every_request_of_every_client_of_the_host_back_until_then()
    {
        var clock = Afml.FakeBinance.ManualClock.AtUnixMilliseconds(Start + 50 * Hour + 1_000);
        await using var fake = await AccountConfigurationTests.StartFakeAsync(clock: clock);
        var gates = new BinanceRateGates();
        var env = BinanceEnvironment.Local(new Uri(fake.RestBaseUrl));
        await using var ex = new BinanceExchange(env, new BinanceCredentials("k-123456789", "s-abcdef"), clock, rateGate: gates.For(env));
        using var feedRest = new BinanceRestClient(env, new BinanceOptions(), clock, rateGate: gates.For(env));
        Assert.True((await ex.SetLeverageAsync("BTCUSDT", 5, default)).Success);

        // Body only ("IP banned until <ms>"), no Retry-After: the old client took this for a 2-minute ban.
        fake.Faults.OnNext(FaultEndpoints.AnyRest, Fault.Banned(TimeSpan.FromHours(5)));
        var first = await ex.GetAccountAsync(default);
        Assert.Equal(ExchangeErrorKind.Banned, first.Error!.Kind);
        var bannedUntil = fake.BannedUntilMs;
        var sentAtBan = fake.RequestLog.Count;

        var attempts = 0;
        var tries = new List<Func<Task<bool>>>
        {
            async () => (await ex.GetAccountAsync(default)).Success,
            async () => (await ex.GetPositionAsync("BTCUSDT", default)).Success,
            async () => (await ex.PlaceMarketOrderAsync(new MarketOrderRequest("BTCUSDT", OrderSide.Buy, 0.01, false, "afml-ban-1", 20_500), default)).Success,
            async () => (await ex.CancelAllOrdersAsync("BTCUSDT", default)).Success,
            async () => (await feedRest.SendAsync(HttpMethod.Get, "/fapi/v1/klines", new BinanceQuery().Add("symbol", "BTCUSDT").Add("interval", "1h").Add("limit", 5), BinanceSecurity.None, 1, default)).Success,
        };
        // Ten minutes at a time up to a second before the end: every call refused here, none reaching the venue.
        while (clock.GetUtcNow().ToUnixTimeMilliseconds() + 600_000 < bannedUntil)
        {
            clock.Advance(TimeSpan.FromMinutes(10));
            foreach (var call in tries) { attempts++; Assert.False(await call()); }
        }
        clock.Set(DateTimeOffset.FromUnixTimeMilliseconds(bannedUntil - 1_000));
        foreach (var call in tries) { attempts++; Assert.False(await call()); }
        var sentDuringBan = fake.RequestLog.Count - sentAtBan;

        clock.Set(DateTimeOffset.FromUnixTimeMilliseconds(bannedUntil + 1_000));
        var after = await ex.GetAccountAsync(default);

        TestReport.Write(output, string.Create(CultureInfo.InvariantCulture,
            $"fault-suite: ip-ban 418-body-only ban={TimeSpan.FromMilliseconds(bannedUntil - (Start + 50 * Hour + 1_000)).TotalHours:F1}h attempts-during-ban={attempts} refused-locally={gates.For(env).RefusedDuringBan} requests-sent-during-ban={sentDuringBan} venue-saw-during-ban={fake.RequestsDuringBan} after-ban-ok={after.Success}"));
        Assert.Equal(0, sentDuringBan);
        Assert.Equal(0, fake.RequestsDuringBan);
        Assert.True(after.Success, after.Error?.ToString());
        Assert.Equal(1, gates.Count);
    }

    [Fact]
    public void The_ban_end_comes_from_the_body_then_Retry_After_then_a_growing_default()
    {
        var options = new BinanceOptions { DefaultBan = TimeSpan.FromMinutes(2) };
        const long now = 1_700_000_000_000;

        var gate = new BinanceRateGate(options);
        gate.OnBanned(TimeSpan.FromSeconds(30), now, "Way too many requests; IP(1.2.3.4) banned until 1700086400000. Please use the websocket for live updates to avoid bans.");
        Assert.True(gate.BannedUntilMs >= 1_700_086_400_000);

        gate = new BinanceRateGate(options);
        gate.OnBanned(TimeSpan.FromMinutes(7), now, "Way too many requests.");
        Assert.InRange(gate.BannedUntilMs - now, 7 * 60_000, 7 * 60_000 + 1_000);

        gate = new BinanceRateGate(options);
        var lengths = new List<long>();
        for (var i = 0; i < 14; i++)
        {
            var at = now + i * 4L * 86_400_000;
            gate.OnBanned(null, at, "Way too many requests.");
            lengths.Add(gate.BannedUntilMs - at);
        }
        Assert.Equal(2 * 60_000, lengths[0]);
        Assert.Equal(4 * 60_000, lengths[1]);
        Assert.Equal(8 * 60_000, lengths[2]);
        Assert.Equal((long)BinanceRateGate.MaxBan.TotalMilliseconds, lengths[^1]);
        Assert.NotNull(gate.Ban(now + 13 * 4L * 86_400_000 + 1));
    }

    [Fact]
    public void Gates_are_one_per_host_and_registries_share_nothing()
    {
        var a = new BinanceRateGates();
        var b = new BinanceRateGates();
        var fakeHost = BinanceEnvironment.Local(new Uri("http://127.0.0.1:18080"));
        Assert.Same(a.For(fakeHost), a.For(BinanceEnvironment.Local(new Uri("http://127.0.0.1:18080/"), "other-name")));
        Assert.NotSame(a.For(fakeHost), a.For(BinanceEnvironment.Testnet));
        Assert.NotSame(a.For(fakeHost), b.For(fakeHost));
    }
}
