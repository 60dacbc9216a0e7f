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
            Endpoint = new Uri("http://127.0.0.1:9"), Credentials = new BinanceCredentials("k", "s"),
        };
        await using var built = new SessionFactory(TimeProvider.System).Create(options);
        var exchange = Assert.IsType<BinanceExchange>(built.Parts.Exchange);
        var feed = Assert.IsType<BinanceMarketFeed>(built.Parts.Feed);
        Assert.Same(exchange.Rest.RateGate, feed.Rest.RateGate);
        Assert.True(built.Parts.VenueBook);
        Assert.False(built.Parts.TrainingPrices);
    }

    [Fact]
    public void A_live_session_without_the_operators_confirmation_is_refused_by_the_engine_itself()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var options = new SessionOptions
        {
            TrainId = h.TrainId, TrainingRoot = h.Root, Venue = VenueKind.Live,
            Endpoint = new Uri("http://127.0.0.1:9"), Credentials = new BinanceCredentials("k", "s"),
        };
        var error = Assert.Throws<AfmlException>(() => new SessionFactory(TimeProvider.System).Create(options));
        Assert.Equal("LiveNotConfirmed", error.ErrorId);
        Assert.False(Directory.Exists(Path.Combine(h.TrainingDir, "produccion")));
    }
}
