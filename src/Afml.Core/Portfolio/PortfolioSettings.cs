namespace Afml.Core.Portfolio;

/// <summary>The trainer's <c>portafolio</c> block: the simulated account every training book starts from.</summary>
/// <param name="InitialCapital"><c>capital_inicial</c>: the balance after every reset; also the equity feature's divisor.</param>
/// <param name="Leverage"><c>apalancamiento</c>: margin = notional / leverage.</param>
/// <param name="Commission"><c>comision</c>: fraction of the notional charged on opens, increases and reductions.</param>
/// <param name="Slippage"><c>slippage</c>: a second fraction of the notional, charged exactly like the commission.</param>
public sealed record PortfolioSettings(double InitialCapital, double Leverage, double Commission, double Slippage)
{
    /// <summary>Throws when a value would be refused by the reference <c>Portafolio</c> constructor.</summary>
    public PortfolioSettings Validate()
    {
        if (!(InitialCapital > 0) || double.IsInfinity(InitialCapital))
            throw new ArgumentOutOfRangeException(nameof(InitialCapital), InitialCapital, "Initial capital must be positive and finite.");
        if (!(Leverage > 0) || double.IsInfinity(Leverage))
            throw new ArgumentOutOfRangeException(nameof(Leverage), Leverage, "Leverage must be positive and finite.");
        if (!(Commission >= 0 && Commission <= 1))
            throw new ArgumentOutOfRangeException(nameof(Commission), Commission, "Commission must be within [0, 1].");
        if (!(Slippage >= 0 && Slippage <= 1))
            throw new ArgumentOutOfRangeException(nameof(Slippage), Slippage, "Slippage must be within [0, 1].");
        return this;
    }
}
