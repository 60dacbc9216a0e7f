namespace Afml.Core.Portfolio;

/// <summary>The reference env's <c>_ejecutar_action</c> decision: a float32 action and the current position side
/// become a <see cref="TradeDecision"/>.</summary>
/// <remarks>Comparisons with the threshold are done in double, as numpy &lt; 2 does for a float32 scalar against
/// a Python float. a &gt; threshold → long branch with pct = a; a &lt; −threshold → short branch with pct = |a|
/// (float32); otherwise hold. In a branch: flat → open, opposite position → close it completely, same side →
/// modify toward pct.</remarks>
public sealed class ActionInterpreter
{
    /// <summary>Creates an interpreter for <c>entorno.umbral_mantener_posicion</c>.</summary>
    public ActionInterpreter(double holdThreshold)
    {
        if (!double.IsFinite(holdThreshold) || holdThreshold < 0)
            throw new ArgumentOutOfRangeException(nameof(holdThreshold), holdThreshold, "Threshold must be finite and ≥ 0.");
        HoldThreshold = holdThreshold;
    }

    /// <summary><c>umbral_mantener_posicion</c>.</summary>
    public double HoldThreshold { get; }

    /// <summary>Interprets <paramref name="action"/> for a book whose open position has side
    /// <paramref name="current"/> (null when flat).</summary>
    public TradeDecision Interpret(float action, PositionSide? current)
    {
        double a = action;
        if (a > HoldThreshold)
        {
            var intent = current switch
            {
                null => TradeIntent.OpenLong,
                PositionSide.Short => TradeIntent.CloseShort,
                _ => TradeIntent.ModifyLong,
            };
            return new TradeDecision(intent, action, action);
        }
        if (a < -HoldThreshold)
        {
            var intent = current switch
            {
                null => TradeIntent.OpenShort,
                PositionSide.Long => TradeIntent.CloseLong,
                _ => TradeIntent.ModifyShort,
            };
            return new TradeDecision(intent, MathF.Abs(action), action);
        }
        return TradeDecision.Hold(action);
    }
}
