using Afml.Core.Portfolio;

namespace Afml.Core.Risk;

/// <summary>
/// The price at which the book's equity reaches the drawdown limit from its running peak: the same formula as step B
/// (<see cref="TrainingPortfolio.Equity"/> = balance + margin + side·(price − entry)·qty, drawdown = (peak − equity)/peak)
/// solved for the price. Used by the replay's simulated guard (<c>-GuardIntraCandle</c>) to close a breach inside a
/// candle where a protective stop would have. NOTE for the lead: the exchange-resident stop (issue 10 layer 2) has its
/// own <c>Risk/ProtectiveStopPrice</c> (fees, slippage margin, tick rounding); this one is the bare limit price, kept under
/// a separate name so the two can be unified at the merge.
/// </summary>
public static class DrawdownStopPrice
{
    /// <summary>The price where the drawdown equals <paramref name="maxDrawdown"/>, or null when flat or when no
    /// positive price gets there (a long whose margin covers the whole allowed loss).</summary>
    public static double? Of(double balance, OpenPosition? position, double peakEquity, double maxDrawdown)
    {
        if (position is not { Quantity: > 0 } p || !(peakEquity > 0)) return null;
        var target = peakEquity * (1 - maxDrawdown);
        // balance + margin + sign·(price − entry)·qty = target
        var price = p.EntryPrice + (target - balance - p.Margin) / (p.Quantity * p.Side.Sign());
        return price > 0 && double.IsFinite(price) ? price : null;
    }
}
