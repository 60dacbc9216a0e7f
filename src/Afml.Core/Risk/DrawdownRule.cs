using System.Globalization;

namespace Afml.Core.Risk;

/// <summary>Step B: the training env terminated an episode when the drawdown from the running maximum equity
/// reached <c>max_drawdown_permitido</c>; live, that is the trigger of the emergency protocol.</summary>
public sealed class DrawdownRule(double maxDrawdown)
{
    public double MaxDrawdown { get; } = maxDrawdown;

    /// <summary>The breach reason, or null when within the limit.</summary>
    public string? Check(double drawdown) =>
        drawdown >= MaxDrawdown
            ? string.Create(CultureInfo.InvariantCulture, $"max_drawdown_excedido: drawdown {drawdown * 100:F2}% >= límite {MaxDrawdown * 100:F2}%")
            : null;
}
