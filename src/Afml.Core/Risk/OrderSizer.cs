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
    private readonly bool _unrestricted = rules == SymbolRules.Unrestricted(rules.Symbol); // judged once, not per order

    public SizedOrder Size(double quantity, bool reduceOnly, double price, double availableBalance)
    {
        if (!(quantity > 0) || !double.IsFinite(quantity) || !(price > 0)) return new(0, $"cantidad_invalida: {Fmt(quantity)}");
        if (_unrestricted) return new(quantity, null); // replay: the env's exact size
        var q = quantity;
        if (!reduceOnly)
        {
            var perUnit = price / leverage + price * commissionRate;
            q = Math.Min(q, Math.Max(0, availableBalance) * safetyFactor / perUnit);
        }
        var max = Math.Min(Rules.MaxQuantity, Rules.MarketMaxQuantity);
        if (max > 0 && q > (double)max) q = (double)max;
        var step = Rules.MarketLotStep;
        // A close goes to the nearest step (the venue floors what is left of that), so no dust stays open.
        if (reduceOnly && step > 0) q = (double)(Math.Round((decimal)q / step, MidpointRounding.AwayFromZero) * step);
        if (!(q > 0)) return new(0, $"cantidad_bajo_minimo: {Fmt(quantity)} redondeada a 0 (step {step.ToString(CultureInfo.InvariantCulture)})");
        // The venue's own rounding and minimums, so the session skips exactly what the venue would refuse.
        var rounded = QuantityRounder.Round(q, Rules, price, reduceOnly);
        return rounded.Skip switch
        {
            null => new((double)rounded.Quantity, null),
            QuantitySkipReason.BelowMinNotional => new(0, $"nocional_bajo_minimo: {rounded.Detail}"),
            _ => new(0, $"cantidad_bajo_minimo: {rounded.Detail}"),
        };
    }

    private static string Fmt(double v) => v.ToString("G10", CultureInfo.InvariantCulture);
}
