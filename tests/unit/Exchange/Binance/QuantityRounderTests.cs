using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;

namespace Afml.Tests.Exchange.Binance;

public class QuantityRounderTests
{
    private static readonly SymbolRules Btc = new("BTCUSDT", 0.1m, 0.001m, 0.001m, 1000m, 100m, 0.001m, 0.001m, 120m);
    private static readonly SymbolRules Tiny = new("XUSDT", 0.0001m, 0.00001m, 0.00001m, 1000m, 0m, 0.00001m, 0.00001m, 1000m);

    [Theory]
    [InlineData(0.0123456, "0.012")]
    [InlineData(0.0129999, "0.012")] // floor, never round up
    [InlineData(1.0, "1.000")]
    [InlineData(119.9999, "119.999")]
    [InlineData(0.028999999999, "0.029")] // floating-point residue is not a step short
    public void Floors_to_the_market_step(double raw, string text)
    {
        var q = QuantityRounder.Round(raw, Btc, 37000, reduceOnly: false);
        Assert.False(q.IsSkipped, q.Detail);
        Assert.Equal(text, q.Text);
    }

    [Fact]
    public void Tiny_quantities_never_print_an_exponent()
    {
        Assert.Equal("1E-05", 0.00001.ToString(System.Globalization.CultureInfo.InvariantCulture)); // what must not be sent
        var q = QuantityRounder.Round(0.00001, Tiny, 50000, reduceOnly: false);
        Assert.Equal("0.00001", q.Text);
        Assert.Equal("0.00003", QuantityRounder.Round(0.0000399, Tiny, 50000, false).Text);
    }

    [Theory]
    [InlineData(0.0009, false, QuantitySkipReason.BelowMinQuantity)]
    [InlineData(0.002, false, QuantitySkipReason.BelowMinNotional)]
    [InlineData(500.0, false, QuantitySkipReason.AboveMaxQuantity)]
    [InlineData(-1.0, false, QuantitySkipReason.NotPositive)]
    [InlineData(double.NaN, true, QuantitySkipReason.NotPositive)]
    public void Unsendable_quantities_get_a_typed_reason(double raw, bool reduceOnly, QuantitySkipReason reason)
    {
        var q = QuantityRounder.Round(raw, Btc, 37000, reduceOnly);
        Assert.Equal(reason, q.Skip);
        Assert.NotNull(q.Detail);
    }

    [Fact]
    public void Reduce_only_is_exempt_from_min_notional()
    {
        Assert.False(QuantityRounder.Round(0.002, Btc, 37000, reduceOnly: true).IsSkipped);
    }

    [Theory]
    [InlineData("0.001", 3)]
    [InlineData("0.0100", 2)]
    [InlineData("1", 0)]
    [InlineData("10.0", 0)]
    public void Step_scale(string step, int scale) =>
        Assert.Equal(scale, QuantityRounder.Scale(decimal.Parse(step, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Client_order_ids_are_deterministic_and_valid()
    {
        var a = ClientOrderIds.For("20261202_041418", 12);
        Assert.Equal("afml-20261202_041418-12", a);
        Assert.Equal(a, ClientOrderIds.For("20261202_041418", 12));
        Assert.Equal("afml-20261202_041418-12-em", ClientOrderIds.For("20261202_041418", 12, "em"));
        var longStamp = ClientOrderIds.For("a very long session stamp with spaces 20261202_041418", 1234567, "close");
        Assert.True(ClientOrderIds.IsValid(longStamp));
        Assert.True(longStamp.Length <= 36);
        Assert.EndsWith("-1234567-close", longStamp);
        Assert.False(ClientOrderIds.IsValid("has space"));
        Assert.False(ClientOrderIds.IsValid(new string('a', 37)));
    }
}
