namespace Afml.Core.Portfolio;

/// <summary>
/// How the book charges a fill: the training env's costs (commission and slippage as rates of the notional,
/// nothing on a full close), or the commission a real venue actually charged (on every fill, closes included, and
/// no slippage rate, since a real fill price already carries the real slippage). The venue decides which
/// (see <c>Venues.SessionVenue.CostOf</c>); the book never infers it from a missing value.
/// </summary>
public readonly record struct FillCost
{
    private FillCost(bool charged, double commission) { IsVenueCharge = charged; Commission = commission; }

    /// <summary>True when <see cref="Commission"/> is what the venue charged; false for the training env's rates.</summary>
    public bool IsVenueCharge { get; }

    /// <summary>The venue's commission for the fill, in quote asset (0 for <see cref="Training"/>).</summary>
    public double Commission { get; }

    /// <summary>The training env's costs: what replay and paper book, so they reproduce the env to the last bit.</summary>
    public static FillCost Training => default;

    /// <summary>Exactly <paramref name="commission"/> (finite, ≥ 0), as a real venue reported it.</summary>
    public static FillCost Venue(double commission) =>
        commission >= 0 && double.IsFinite(commission)
            ? new(true, commission)
            : throw new ArgumentOutOfRangeException(nameof(commission), commission, "A venue commission must be finite and ≥ 0.");
}
