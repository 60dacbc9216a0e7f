using Afml.Core.Exchange;
using Afml.Core.Risk;

namespace Afml.Tests.Session;

public class OrderSizerTests
{
    private static readonly SymbolRules Btc = new("BTCUSDT", 0.1m, 0.001m, 0.001m, 1000m, 100m, 0.001m, 0.001m, 120m);

    [Fact]
    public void Unrestricted_rules_pass_the_training_quantity_untouched()
    {
        var sizer = new OrderSizer(SymbolRules.Unrestricted("BTCUSDT"), 5, 0.001);
        Assert.Equal(new SizedOrder(0.08431991682902469, null), sizer.Size(0.08431991682902469, false, 94000, 0));
    }

    [Fact]
    public void Exposure_is_floored_to_the_step_and_closes_rounded_to_nearest()
    {
        var sizer = new OrderSizer(Btc, 5, 0.001);
        Assert.Equal(0.084, sizer.Size(0.0849, false, 94000, 1e9).Quantity, 12);
        Assert.Equal(0.085, sizer.Size(0.0849, true, 94000, 0).Quantity, 12);
    }

    [Fact]
    public void Exposure_is_capped_by_available_margin_with_the_safety_factor()
    {
        var sizer = new OrderSizer(Btc, 5, 0.001, safetyFactor: 0.95);
        var sized = sizer.Size(1.0, false, 100000, availableBalance: 1000);
        // margin + commission per BTC = 20000 + 100; 950 / 20100 = 0.0472… → 0.047
        Assert.Equal(0.047, sized.Quantity, 12);
    }

    [Fact]
    public void Below_minimums_is_a_skip_with_a_reason_not_an_error()
    {
        var sizer = new OrderSizer(Btc, 5, 0.001);
        var tiny = sizer.Size(0.0004, false, 94000, 1e9);
        Assert.True(tiny.Skipped);
        Assert.StartsWith("cantidad_bajo_minimo", tiny.SkipReason);

        var smallNotional = sizer.Size(0.001, false, 50000, 1e9);
        Assert.StartsWith("nocional_bajo_minimo", smallNotional.SkipReason);
        Assert.False(sizer.Size(0.001, true, 50000, 0).Skipped); // a reduce-only close is not held to the notional minimum
    }

    [Fact]
    public void Market_max_quantity_caps_the_order()
    {
        var sizer = new OrderSizer(Btc, 5, 0.001);
        Assert.Equal(120, sizer.Size(500, false, 10, 1e12).Quantity, 12);
    }
}
