namespace Afml.Core.Portfolio;

/// <summary>Margin and fees of trading <c>qty</c> at <c>price</c>, in the reference's evaluation order.</summary>
internal readonly record struct TradeCosts(double Margin, double Commission, double Slippage)
{
    /// <summary>margin + commission + slippage, summed left to right as the reference does.</summary>
    public double Total => Margin + Commission + Slippage;

    /// <summary>margin = (price·qty)/leverage; commission = (price·qty)·fee; slippage = (price·qty)·slip.</summary>
    public static TradeCosts Of(double price, double qty, PortfolioSettings settings) =>
        new(price * qty / settings.Leverage, price * qty * settings.Commission, price * qty * settings.Slippage);
}

/// <summary>The reference's order sizing: a target quantity, cut to fit the free balance with a 0.999 safety factor.</summary>
internal static class PositionSizing
{
    /// <summary>The reference's <c>factor_seguridad</c>.</summary>
    public const double SafetyFactor = 0.999;

    /// <summary>((basis·leverage)·pct)/price: the uncapped target (basis = equity for opens, free balance for increases).</summary>
    public static double Target(double basis, float pct, PortfolioSettings settings, double price) =>
        basis * settings.Leverage * pct / price;

    /// <summary>When the estimated cost of <paramref name="qty"/> exceeds <paramref name="balance"/>, scales it by
    /// (balance/cost)·0.999; otherwise returns it unchanged.</summary>
    public static double CapToBalance(double qty, double price, double balance, PortfolioSettings settings)
    {
        var estimated = TradeCosts.Of(price, qty, settings).Total;
        return estimated > balance ? qty * (balance / estimated * SafetyFactor) : qty;
    }
}
