namespace Afml.Core.Portfolio;

/// <summary>An interpreted action: the intent for the current position and the investment fraction.</summary>
/// <param name="Intent">What the book is asked to do.</param>
/// <param name="Pct">Investment fraction as the env passes it: the float32 action for the long branch, its float32
/// absolute value for the short branch, 0 for a hold. Unused by closes.</param>
/// <param name="Action">The raw float32 action the decision came from.</param>
public readonly record struct TradeDecision(TradeIntent Intent, float Pct, float Action)
{
    /// <summary>The env's initial <c>tipo_accion</c>: <c>mantener</c>, <c>long</c> or <c>short</c> (the branch).</summary>
    public string ActionType => Intent.Branch()?.ToReferenceName() ?? OperationNames.Hold;

    /// <summary>A hold decision for an action inside the threshold.</summary>
    public static TradeDecision Hold(float action) => new(TradeIntent.Hold, 0f, action);
}
