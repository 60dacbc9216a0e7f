using Afml.Core.Portfolio;
using Afml.Core.Risk;
using Xunit;

namespace Afml.Tests.Risk;

public sealed class ProtectiveStopPriceTests
{
    [Fact]
    public void Long_stop_is_where_equity_after_costs_reaches_the_limit_rounded_up()
    {
        // 1 BTC long at 100 000, 10 000 locked, peak 10 000, limit 20 %: the book alone breaches at 98 000.
        var stop = ProtectiveStopPrice.For(PositionSide.Long, 1, 100_000, 10_000, 10_000, 0.20, 0.0005, 0.001, 0.1m)!.Value;
        Assert.True(stop > 98_000m, $"{stop}: costs move a long's stop above the bare breach price");
        Assert.Equal(0m, stop % 0.1m);
        var after = ProtectiveStopPrice.EquityAfterStop(PositionSide.Long, 1, 100_000, 10_000, 0.0005, 0.001, (double)stop);
        Assert.InRange(after, 8_000, 8_000.5);
    }

    [Fact]
    public void Short_stop_is_above_entry_and_rounded_down()
    {
        var stop = ProtectiveStopPrice.For(PositionSide.Short, 0.5, 60_000, 5_000, 5_500, 0.10, 0.0004, 0.0005, 0.1m)!.Value;
        Assert.True(stop > 60_000m);
        Assert.True(stop < 60_000m + (decimal)((5_000 - 5_500 * 0.9) / 0.5), "costs move a short's stop below the bare breach price");
        Assert.Equal(0m, stop % 0.1m);
    }

    [Fact]
    public void A_long_that_cannot_reach_the_limit_gets_no_stop()
    {
        // Tiny position: even a price of zero loses less than the limit.
        Assert.Null(ProtectiveStopPrice.For(PositionSide.Long, 0.001, 100, 10_000, 10_000, 0.2, 0.0005, 0.001, 0.1m));
        Assert.Null(ProtectiveStopPrice.For(PositionSide.Long, 0, 100, 10_000, 10_000, 0.2, 0.0005, 0.001, 0.1m));
        Assert.Null(ProtectiveStopPrice.For(PositionSide.Short, 1, double.NaN, 10_000, 10_000, 0.2, 0.0005, 0.001, 0.1m));
    }

    /// <summary>Property, over 20 000 seeded random books: the stop is safe (closing at it, after commission and slippage,
    /// leaves at least the limit) and tight (one tick beyond it would not), and on the tick.</summary>
    [Fact]
    public void Property_safe_and_tight_within_one_tick()
    {
        var random = new Random(20261202);
        var checkedCount = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var side = random.Next(2) == 0 ? PositionSide.Long : PositionSide.Short;
            var entry = Math.Round(1 + random.NextDouble() * 120_000, 1);
            var leverage = 1 + random.Next(50);
            var capital = 100 + random.NextDouble() * 50_000;
            var quantity = capital * (0.05 + 0.95 * random.NextDouble()) * leverage / entry;
            var margin = quantity * entry / leverage;
            var locked = capital - 0.0005 * quantity * entry; // after the open's fee
            var peak = capital * (1 + random.NextDouble() * 0.5);
            var maxDrawdown = 0.01 + random.NextDouble() * 0.5;
            var commission = random.NextDouble() * 0.001;
            var slippage = random.NextDouble() * 0.005;
            var tick = random.Next(3) switch { 0 => 0.1m, 1 => 0.01m, _ => 1m };
            var stop = ProtectiveStopPrice.For(side, quantity, entry, locked, peak, maxDrawdown, commission, slippage, tick);
            var limit = peak * (1 - maxDrawdown);
            if (stop is not { } s)
            {
                // A long out of reach (even a price of zero leaves more than the limit), or a short past it at any price.
                var atZero = ProtectiveStopPrice.EquityAfterStop(side, quantity, entry, locked, commission, slippage, 1e-9);
                if (side == PositionSide.Long) Assert.True(atZero > limit - 1e-6 * peak, $"#{i} long without a stop");
                else Assert.True(atZero < limit + 1e-6 * peak, $"#{i} short without a stop");
                continue;
            }
            checkedCount++;
            Assert.Equal(0m, s % tick);
            var tolerance = 1e-9 * Math.Max(peak, quantity * entry);
            var atStop = ProtectiveStopPrice.EquityAfterStop(side, quantity, entry, locked, commission, slippage, (double)s);
            Assert.True(atStop >= limit - tolerance, $"#{i} {side}: equity {atStop} below the limit {limit} at the stop {s}");
            var beyond = side == PositionSide.Long ? (double)(s - tick) : (double)(s + tick);
            if (beyond > 0)
            {
                var late = ProtectiveStopPrice.EquityAfterStop(side, quantity, entry, locked, commission, slippage, beyond);
                Assert.True(late < limit + tolerance, $"#{i} {side}: a tick beyond ({beyond}) still leaves {late} ≥ {limit}: not tight");
            }
        }
        Assert.True(checkedCount > 15_000, $"only {checkedCount} books had a stop");
    }
}
