using Afml.Core.Portfolio;

namespace Afml.Core.Risk;

/// <summary>
/// Where the exchange-resident protective stop goes: the mark price at which closing the whole position would leave
/// the session's equity at <c>max_drawdown_permitido</c> below its running peak, the close paying the commission and
/// filling a slippage margin worse than the trigger. Equity is the book's (step B's): balance + margin + unrealised PnL.
/// <list type="bullet">
/// <item>long: balance + margin + q·(F − entry) − c·q·F = limit, with F = P·(1 − s)</item>
/// <item>short: balance + margin + q·(entry − F) − c·q·F = limit, with F = P·(1 + s)</item>
/// </list>
/// where limit = peak·(1 − max_drawdown). The price is rounded to the tick in the safe direction: a long's stop up and a
/// short's down, so the stop triggers at or before the limit, never after it.
/// </summary>
public static class ProtectiveStopPrice
{
    /// <param name="lockedEquity">The book's balance plus the position's margin (equity less unrealised PnL).</param>
    /// <param name="tick">The symbol's tick size; 0 rounds nothing.</param>
    /// <returns>The trigger price, or null when no positive price brings the equity to the limit (a long with so
    /// little leverage that even a price of zero does not, or a degenerate input).</returns>
    public static decimal? For(PositionSide side, double quantity, double entryPrice, double lockedEquity, double peakEquity,
        double maxDrawdown, double commissionRate, double slippage, decimal tick)
    {
        if (!(quantity > 0) || !(entryPrice > 0) || !(peakEquity > 0) || !(maxDrawdown > 0) || !(commissionRate >= 0) || !(slippage >= 0) || slippage >= 1
            || !double.IsFinite(quantity + entryPrice + lockedEquity + peakEquity + maxDrawdown + commissionRate + slippage))
            return null;
        var limit = peakEquity * (1 - maxDrawdown);
        double price;
        if (side == PositionSide.Long)
        {
            if (commissionRate >= 1) return null;
            var fill = (limit - lockedEquity + quantity * entryPrice) / (quantity * (1 - commissionRate));
            price = fill / (1 - slippage);
        }
        else
        {
            var fill = (lockedEquity + quantity * entryPrice - limit) / (quantity * (1 + commissionRate));
            price = fill / (1 + slippage);
        }
        if (!(price > 0) || !double.IsFinite(price) || price > 1e15) return null;
        var exact = (decimal)price;
        if (tick <= 0) return exact;
        var ticks = exact / tick;
        var rounded = (side == PositionSide.Long ? Math.Ceiling(ticks) : Math.Floor(ticks)) * tick;
        return rounded > 0 ? rounded : null;
    }

    /// <summary>
    /// Whether a live stop at <paramref name="live"/> may stay where the book now wants <paramref name="wanted"/> (same
    /// side), so that a running peak rising a little does not cost a cancel and a place (2 REST calls) every step. The rule:
    /// <list type="bullet">
    /// <item>the same tick: kept (nothing to move);</item>
    /// <item>the live stop is tighter than wanted (a long's above, a short's below): moved, it would close the position
    /// before the limit;</item>
    /// <item>the live stop is looser than wanted: kept while it is within half the slippage margin of the wanted price
    /// (<c>live ≥ wanted·(1 − s/2)</c> for a long, <c>live ≤ wanted·(1 + s/2)</c> for a short), moved beyond that.</item>
    /// </list>
    /// The wanted price already budgets a fill <c>s</c> worse than the trigger; a stop kept looser by at most half of
    /// that can leave equity below the limit by at most half the slippage margin (q·wanted·s/2), never more than the
    /// margin already budgeted. With no slippage margin the stop follows every tick, as before.
    /// </summary>
    public static bool Keeps(PositionSide side, decimal live, decimal wanted, double slippage)
    {
        if (live == wanted) return true;
        var band = wanted * (decimal)(double.IsFinite(slippage) && slippage > 0 && slippage < 1 ? slippage / 2 : 0);
        return side == PositionSide.Long ? live < wanted && live >= wanted - band : live > wanted && live <= wanted + band;
    }

    /// <summary>The equity left after closing at a stop triggered at <paramref name="trigger"/>, by the same arithmetic
    /// (for tests, the status and the README's figures).</summary>
    public static double EquityAfterStop(PositionSide side, double quantity, double entryPrice, double lockedEquity, double commissionRate, double slippage, double trigger)
    {
        var fill = side == PositionSide.Long ? trigger * (1 - slippage) : trigger * (1 + slippage);
        var pnl = side == PositionSide.Long ? quantity * (fill - entryPrice) : quantity * (entryPrice - fill);
        return lockedEquity + pnl - commissionRate * quantity * fill;
    }
}
