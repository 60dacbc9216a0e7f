namespace Afml.Core.Exchange;

/// <summary>Why a quantity cannot be sent as it is: the order is skipped with this reason instead of being
/// rejected by the venue again and again.</summary>
public enum QuantitySkipReason
{
    /// <summary>Zero, negative, or not a finite number.</summary>
    NotPositive,
    /// <summary>Below the market lot's minimum after flooring to the step.</summary>
    BelowMinQuantity,
    /// <summary>quantity × price under MIN_NOTIONAL (reduce-only orders are exempt, as on Binance).</summary>
    BelowMinNotional,
    /// <summary>Above the market lot's maximum.</summary>
    AboveMaxQuantity,
}
