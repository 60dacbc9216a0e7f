using System.Globalization;

namespace Afml.Core.Exchange;

/// <summary>
/// Sizes a MARKET order to the symbol's rules: floor to MARKET_LOT_SIZE's step (LOT_SIZE's when absent), then check
/// min/max quantity and, unless reduce-only, MIN_NOTIONAL at the reference price. Flooring never sends more than
/// asked, so a close never exceeds the position it closes.
/// </summary>
public static class QuantityRounder
{
    private const decimal StepTolerance = 0.000001m;

    public static RoundedQuantity Round(double quantity, SymbolRules rules, double referencePrice, bool reduceOnly)
    {
        if (!double.IsFinite(quantity) || quantity <= 0 || quantity > 1e15)
            return new RoundedQuantity(0, "0", QuantitySkipReason.NotPositive, $"quantity {quantity.ToString("R", CultureInfo.InvariantCulture)} is not a positive number");
        return Round((decimal)quantity, rules, double.IsFinite(referencePrice) && referencePrice > 0 && referencePrice < 1e15 ? (decimal)referencePrice : 0m, reduceOnly);
    }

    public static RoundedQuantity Round(decimal quantity, SymbolRules rules, decimal referencePrice, bool reduceOnly)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (quantity <= 0) return new RoundedQuantity(0, "0", QuantitySkipReason.NotPositive, $"quantity {Format(quantity, 0)} is not positive");
        var step = rules.MarketLotStep;
        var min = rules.MarketMinQuantity > 0 ? rules.MarketMinQuantity : rules.MinQuantity;
        var max = Math.Min(rules.MarketMaxQuantity > 0 ? rules.MarketMaxQuantity : decimal.MaxValue, rules.MaxQuantity > 0 ? rules.MaxQuantity : decimal.MaxValue);
        // Floor, but a quantity a hair under a step (binary floating-point residue such as 0.02899999999) counts as
        // that step, or a close would leave one step of dust behind.
        var q = step > 0 ? Math.Floor(quantity / step + StepTolerance) * step : quantity;
        var text = Format(q, step);
        if (q <= 0 || q < min)
            return new RoundedQuantity(q, text, QuantitySkipReason.BelowMinQuantity,
                $"{Format(quantity, 0)} floored to step {Format(step, 0)} is {text}, below the minimum {Format(min, 0)}");
        if (q > max)
            return new RoundedQuantity(q, text, QuantitySkipReason.AboveMaxQuantity, $"{text} is above the maximum {Format(max, 0)}");
        if (!reduceOnly && rules.MinNotional > 0 && referencePrice > 0 && q * referencePrice < rules.MinNotional)
            return new RoundedQuantity(q, text, QuantitySkipReason.BelowMinNotional,
                $"{text} × {Format(referencePrice, 0)} = {Format(q * referencePrice, 0)} is below the minimum notional {Format(rules.MinNotional, 0)}");
        return new RoundedQuantity(q, text, null, null);
    }

    /// <summary>Plain invariant decimal with as many decimals as the step has (all significant ones when the step
    /// is 0); decimal never prints an exponent.</summary>
    public static string Format(decimal value, decimal step)
    {
        if (step > 0)
        {
            var decimals = Scale(step);
            return Math.Round(value, decimals, MidpointRounding.ToZero).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }
        var text = value.ToString(CultureInfo.InvariantCulture);
        return text.Contains('.') ? text.TrimEnd('0').TrimEnd('.') : text;
    }

    /// <summary>Decimals a step needs: 0.001 → 3, 0.0100 → 2, 1 → 0.</summary>
    public static int Scale(decimal step)
    {
        var normalized = step / 1.0000000000000000000000000000m; // drops trailing zeros
        return (decimal.GetBits(normalized)[3] >> 16) & 0xFF;
    }
}
