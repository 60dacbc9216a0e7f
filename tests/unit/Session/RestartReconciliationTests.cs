using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;
using Afml.Core.Recording;
using Afml.Core.Session;
using Xunit.Abstractions;

namespace Afml.Tests.Session;

/// <summary>A session started onto a position it did not open (an earlier session stopped with Ctrl+C, a manual
/// trade) adopts it before its first decision, so the model observes the position that really exists.</summary>
public class RestartReconciliationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_testnet_session_adopts_the_open_position_it_finds()
    {
        await using var s = await FakeVenueSession.StartAsync(18_000, 600, 3);
        await using (var earlier = new BinanceExchange(BinanceEnvironment.Local(new Uri(s.Fake.RestBaseUrl)), new BinanceCredentials(FakeVenueSession.ApiKey, FakeVenueSession.ApiSecret), TimeProvider.System))
        {
            (await earlier.SetLeverageAsync("BTCUSDT", 5, default)).Unwrap();
            (await earlier.PlaceMarketOrderAsync(new MarketOrderRequest("BTCUSDT", OrderSide.Sell, 0.2, false, "earlier-session-1", 0), default)).Unwrap();
        }

        var summary = await s.RunAsync(s.Options(VenueKind.Testnet, 3) with { InitialBalance = 5000 }, 3);
        foreach (var l in s.Events.OfType<SessionLog>().Where(l => l.Message.Contains("reconciliacion"))) output.WriteLine(l.Message);

        Assert.Equal(3, summary.Steps);
        Assert.True(summary.Reconciliations >= 1);
        Assert.Contains(s.Events.OfType<SessionLog>(), l => l.Message.Contains("libro flat ≠ venue short 0.2"));
        var first = RegistroReader.Read(summary.RegistroPath).First();
        // The first decision already knew the short: it either kept, changed or closed it, never opened from flat.
        Assert.NotEqual("abrir_short", first.Operacion);
        Assert.NotEqual("abrir_long", first.Operacion);
    }

    [Fact]
    public async Task A_capital_the_account_cannot_carry_is_refused_before_any_order()
    {
        await using var s = await FakeVenueSession.StartAsync(18_000, 600, 1);
        var error = await Assert.ThrowsAsync<Afml.Core.AfmlException>(() => s.RunAsync(s.Options(VenueKind.Testnet, 1) with { InitialBalance = 20_000 }, 1));
        Assert.Equal("CapitalNotAvailable", error.ErrorId);
        Assert.Contains("10000.00", error.Message);
        Assert.Empty(s.Fake.Orders);
        var status = SessionStatusFile.Read(Directory.GetFiles(Path.Combine(s.Harness.TrainingDir, "produccion"), "*.status.json").Single());
        Assert.Equal("Failed", status.State);
        Assert.StartsWith("CapitalNotAvailable", status.StopReason);
    }
}
