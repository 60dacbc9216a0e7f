namespace Afml.Core.Exchange;

/// <summary>A quantity floored to the step and its wire text (plain decimal, invariant, never an exponent), or
/// the reason it cannot be sent.</summary>
public sealed record RoundedQuantity(decimal Quantity, string Text, QuantitySkipReason? Skip, string? Detail)
{
    public bool IsSkipped => Skip is not null;
}
