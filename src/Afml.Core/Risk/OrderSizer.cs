using System.Globalization;
using Afml.Core.Exchange;

namespace Afml.Core.Risk;

/// <summary>The quantity that goes to the venue, or why nothing goes.</summary>
/// <param name="Quantity">Rounded to the venue's step; 0 when skipped.</param>
/// <param name="SkipReason">Why the order is not sent (below the venue's minimums, no margin): logged and recorded,
/// never retried and never an emergency.</param>
public readonly record struct SizedOrder(double Quantity, string? SkipReason)
{
    public bool Skipped => SkipReason is not null;
}

/// <summary>
/// Step E's sizing: the training plan's quantity made acceptable to the venue. Orders that add exposure are capped
/// so their margin and commission fit in the account's available balance times a safety factor (the account may
/// hold less free margin than the book thinks: other positions, fees, funding), then floored to the step size;
/// reduce-only orders are rounded to the nearest step, so a close never leaves dust behind. A result under the
/// minimum quantity or notional is skipped with a reason. With <see cref="SymbolRules.Unrestricted"/> (replay) the
/// quantity passes untouched, so replays keep the training env's exact sizes.
/// </summary>
public sealed class OrderSizer(SymbolRules rules, double leverage, double commissionRate, double safetyFactor = 0.95)
{
    public SymbolRules Rules { get; } = rules;

    public SizedOrder Size(double quantity, bool reduceOnly, double price, double availableBalance)
    {
        if (!(quantity > 0) || !double.IsFinite(quantity) || !(price > 0)) return new(0, $"cantidad_invalida: {Fmt(quantity)}");
        var q = quantity;
        if (!reduceOnly && Rules != SymbolRules.Unrestricted(Rules.Symbol))
        {
            var perUnit = price / leverage + price * commissionRate;
            var affordable = Math.Max(0, availableBalance) * safetyFactor / perUnit;
            if (q > affordable) q = affordable;
        }
        var step = Rules.MarketStepSize > 0 ? Rules.MarketStepSize : Rules.StepSize;
        var min = Math.Max(Rules.MinQuantity, Rules.MarketMinQuantity);
        var max = Math.Min(Rules.MaxQuantity, Rules.MarketMaxQuantity);
        if (step > 0)
        {
            var d = (decimal)q;
            var steps = reduceOnly ? Math.Round(d / step, MidpointRounding.AwayFromZero) : Math.Floor(d / step);
            q = (double)(steps * step);
        }
        if (max > 0 && max < decimal.MaxValue && q > (double)max) q = (double)(Math.Floor(max / (step > 0 ? step : 1m)) * (step > 0 ? step : 1m));
        if (q <= 0) return new(0, $"cantidad_bajo_minimo: {Fmt(quantity)} redondeada a 0 (step {step.ToString(CultureInfo.InvariantCulture)})");
        if (q < (double)min) return new(0, $"cantidad_bajo_minimo: {Fmt(q)} < minQty {min.ToString(CultureInfo.InvariantCulture)}");
        if (!reduceOnly && q * price < (double)Rules.MinNotional)
            return new(0, $"nocional_bajo_minimo: {Fmt(q * price)} < {Rules.MinNotional.ToString(CultureInfo.InvariantCulture)} USDT");
        return new(q, null);
    }

    private static string Fmt(double v) => v.ToString("G10", CultureInfo.InvariantCulture);
}
