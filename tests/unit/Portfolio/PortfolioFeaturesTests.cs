using Afml.Core.Portfolio;

namespace Afml.Tests.Portfolio;

public class PortfolioFeaturesTests
{
    private static readonly PortfolioSettings Settings = new(10000, 5, 0.001, 0.001);

    [Fact]
    public void Fresh_book_is_one_zero_zero() =>
        Assert.Equal([1f, 0f, 0f], PortfolioFeatures.Compute(new TrainingPortfolio(Settings), 100, 10000, normalize: true));

    [Fact]
    public void Normalised_features_are_equity_over_capital_pnl_over_equity_and_side()
    {
        var book = new TrainingPortfolio(Settings);
        book.Execute(new TradeDecision(TradeIntent.OpenShort, 0.5f, -0.5f), 100);
        var equity = book.Equity(90);
        var pnl = book.UnrealizedPnl(90);
        Assert.Equal(2500, pnl);
        Assert.Equal([(float)(equity / 10000), (float)(pnl / equity), -1f],
            PortfolioFeatures.Compute(book, 90, 10000, normalize: true));
    }

    [Fact]
    public void Without_normalisation_features_are_raw_equity_pnl_and_side()
    {
        var book = new TrainingPortfolio(Settings);
        book.Execute(new TradeDecision(TradeIntent.OpenLong, 0.5f, 0.5f), 100); // qty 250, margin 5000, fees 50
        Span<float> dest = stackalloc float[3];
        PortfolioFeatures.Compute(book, 110, 10000, normalize: false, dest);
        Assert.Equal([12450f, 2500f, 1f], dest.ToArray());
    }

    [Fact]
    public void Pnl_feature_is_zero_when_equity_is_not_positive()
    {
        var book = new TrainingPortfolio(Settings);
        book.Execute(new TradeDecision(TradeIntent.OpenLong, 1f, 1f), 100);
        Assert.True(book.Equity(70) < 0);
        var features = PortfolioFeatures.Compute(book, 70, 10000, normalize: true);
        Assert.Equal((float)(book.Equity(70) / 10000), features[0]);
        Assert.Equal(0f, features[1]);
        Assert.Equal(1f, features[2]);
    }

    [Fact]
    public void Destination_must_hold_three_values() =>
        Assert.Throws<ArgumentException>(() =>
            PortfolioFeatures.Compute(new TrainingPortfolio(Settings), 100, 10000, true, new float[2]));
}
