namespace Afml.Core.Portfolio;

/// <summary>What an action asks of the book given its current position (the reference env's branches).</summary>
public enum TradeIntent
{
    /// <summary>|action| ≤ threshold: no portfolio call at all.</summary>
    Hold,
    /// <summary>Long branch while flat.</summary>
    OpenLong,
    /// <summary>Short branch while flat.</summary>
    OpenShort,
    /// <summary>Short branch while long: close the long completely.</summary>
    CloseLong,
    /// <summary>Long branch while short: close the short completely.</summary>
    CloseShort,
    /// <summary>Long branch while long: move the stored pct toward the new one.</summary>
    ModifyLong,
    /// <summary>Short branch while short: move the stored pct toward the new one.</summary>
    ModifyShort,
}

/// <summary>Reference labels of <see cref="TradeIntent"/>.</summary>
public static class TradeIntentExtensions
{
    /// <summary>The branch's side (the sign of the action), or null for <see cref="TradeIntent.Hold"/>.
    /// A close's branch is the opposite of the side it closes.</summary>
    public static PositionSide? Branch(this TradeIntent intent) => intent switch
    {
        TradeIntent.OpenLong or TradeIntent.CloseShort or TradeIntent.ModifyLong => PositionSide.Long,
        TradeIntent.OpenShort or TradeIntent.CloseLong or TradeIntent.ModifyShort => PositionSide.Short,
        _ => null,
    };

    /// <summary>The label the env writes before merging the portfolio's own dict (<c>abrir_long</c>,
    /// <c>cerrar_short</c>, <c>modificar_long</c>, …; null for a hold). The portfolio's dict always carries its own
    /// <c>operacion</c>, so this label never reaches a recording; it is kept for logs.</summary>
    public static string? EnvLabel(this TradeIntent intent) => intent switch
    {
        TradeIntent.OpenLong => "abrir_long",
        TradeIntent.OpenShort => "abrir_short",
        TradeIntent.CloseLong => "cerrar_long",
        TradeIntent.CloseShort => "cerrar_short",
        TradeIntent.ModifyLong => "modificar_long",
        TradeIntent.ModifyShort => "modificar_short",
        _ => null,
    };
}
