using Afml.Core;
using Afml.Core.Exchange.Binance;
using Afml.Core.MarketData.Binance;
using Afml.Core.Session;

namespace Afml.Tests.Session;

/// <summary>How the factory puts a Binance session together.</summary>
public class BinanceVenueWiringTests
{
    [Fact]
    public async Task The_feed_and_the_exchange_hold_back_together_because_Binance_limits_are_per_IP()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var options = new SessionOptions
        {
            TrainId = h.TrainId, TrainingRoot = h.Root, Venue = VenueKind.Testnet,
            Binance = new Afml.Core.Venues.BinanceConnection { Endpoint = new Uri("http://127.0.0.1:9"), Credentials = new BinanceCredentials("k", "s") },
        };
        await using var built = new SessionFactory(TimeProvider.System).Create(options);
        var exchange = Assert.IsType<BinanceExchange>(built.Parts.Exchange);
        var feed = Assert.IsType<BinanceMarketFeed>(built.Parts.Feed);
        Assert.Same(exchange.Rest.RateGate, feed.Rest.RateGate);
        // Binance's behaviour: real prices, the venue's fills and commission, reconciliation.
        Assert.IsType<Afml.Core.Venues.BinanceVenue>(built.Parts.Venue);
        Assert.True(built.Parts.Venue.HoldsRealPositions);
    }

    [Fact]
    public async Task Every_session_given_the_process_gates_holds_back_with_the_others_at_the_same_host()
    {
        using var a = new SessionHarness(TestData.FixtureTrainingDir);
        using var b = new SessionHarness(TestData.FixtureTrainingDir);
        var gates = new BinanceRateGates();
        var endpoint = new Uri("http://127.0.0.1:9");
        var connection = new Afml.Core.Venues.BinanceConnection { Endpoint = endpoint, Credentials = new BinanceCredentials("k", "s"), Gates = gates };
        await using var testnet = new SessionFactory(TimeProvider.System).Create(new SessionOptions { TrainId = a.TrainId, TrainingRoot = a.Root, Venue = VenueKind.Testnet, Binance = connection });
        await using var paper = new SessionFactory(TimeProvider.System).Create(new SessionOptions { TrainId = b.TrainId, TrainingRoot = b.Root, Venue = VenueKind.Paper, Binance = connection });

        var gate = gates.For(BinanceEnvironment.Local(endpoint));
        Assert.Same(gate, Assert.IsType<BinanceExchange>(testnet.Parts.Exchange).Rest.RateGate);
        Assert.Same(gate, Assert.IsType<BinanceMarketFeed>(testnet.Parts.Feed).Rest.RateGate);
        Assert.Same(gate, Assert.IsType<BinanceMarketFeed>(paper.Parts.Feed).Rest.RateGate);
        Assert.Equal(1, gates.Count);
        // A ban one session met holds the other back: nothing is sent.
        gate.OnBanned(TimeSpan.FromHours(1), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var history = await Assert.ThrowsAsync<AfmlException>(() => paper.Parts.Feed.LoadHistoryAsync(CancellationToken.None));
        Assert.Contains("banned", history.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_live_session_without_the_operators_confirmation_is_refused_by_the_engine_itself()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var options = new SessionOptions
        {
            TrainId = h.TrainId, TrainingRoot = h.Root, Venue = VenueKind.Live,
            Binance = new Afml.Core.Venues.BinanceConnection { Endpoint = new Uri("http://127.0.0.1:9"), Credentials = new BinanceCredentials("k", "s") },
        };
        var error = Assert.Throws<AfmlException>(() => new SessionFactory(TimeProvider.System).Create(options));
        Assert.Equal("LiveNotConfirmed", error.ErrorId);
        Assert.False(Directory.Exists(Path.Combine(h.TrainingDir, "produccion")));
    }
}

/// <summary>Client order ids are the session's own: valid for Binance, and never shared by two sessions.</summary>
public class ClientOrderTagTests
{
    [Fact]
    public async Task Two_sessions_started_in_the_same_second_never_share_client_order_ids()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T10:00:00Z"));
        using var a = new SessionHarness(TestData.FixtureTrainingDir);
        using var b = new SessionHarness(TestData.FixtureTrainingDir);
        var candles = Path.Combine(TestData.SharedDir, "data", "BTCUSDT-1h.csv");
        await using var first = new SessionFactory(time).Create(a.Options(candles));
        await using var second = new SessionFactory(time).Create(b.Options(candles));

        Assert.Equal(first.Parts.SessionId, second.Parts.SessionId); // same stamp…
        Assert.NotEqual(first.Parts.ClientOrderTag, second.Parts.ClientOrderTag); // …different ids
        var id = Afml.Core.Exchange.ClientOrderIds.For(first.Parts.ClientOrderTag, 99_999);
        Assert.True(Afml.Core.Exchange.ClientOrderIds.IsValid(Afml.Core.Risk.EmergencyProtocol.CloseOrderId(id)));
        Assert.StartsWith($"afml-{first.Parts.SessionId}-", id);
    }
}
