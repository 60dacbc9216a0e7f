using System.Globalization;

namespace Afml.Core.Exchange.Binance;

/// <summary>
/// How the account is set up on the venue, read at session start: position mode (GET /fapi/v1/positionSide/dual),
/// multi-assets mode (GET /fapi/v1/multiAssetsMargin), and for the symbol its margin type and leverage
/// (GET /fapi/v1/symbolConfig; v3 positionRisk no longer carries either).
/// </summary>
/// <param name="HedgeMode">Dual-side position mode: LONG and SHORT legs, positionSide required on every order.</param>
/// <param name="MultiAssets">Multi-assets margin: account totals are USD-valued across every collateral asset.</param>
/// <param name="MarginType">"cross" or "isolated" (null when the venue did not say).</param>
/// <param name="Leverage">The symbol's leverage (null when the venue did not say).</param>
public sealed record BinanceAccountSettings(bool HedgeMode, bool MultiAssets, string? MarginType, int? Leverage)
{
    /// <summary>One line for the session log.</summary>
    public string Describe(string symbol) => string.Create(CultureInfo.InvariantCulture,
        $"Cuenta Binance: modo de posición {(HedgeMode ? "hedge (LONG/SHORT)" : "one-way")}, multi-assets {(MultiAssets ? "activado" : "desactivado")}, " +
        $"margen {MarginType ?? "desconocido"}, apalancamiento {symbol} {(Leverage is { } l ? l + "x" : "desconocido")}");

    /// <summary>What an operator does to leave hedge mode (Binance refuses the switch while any position or open
    /// order exists).</summary>
    public static string HowToLeaveHedgeMode(string venueName) =>
        $"The {venueName} account is in hedge (dual-side) position mode; Afml trades one-way mode only and sends no order to a hedge-mode account " +
        "(every one would be rejected with -4061, the emergency close included). Close every position and open order, then switch to one-way: " +
        "Binance Futures > Preferences > Position Mode > One-way Mode, or POST /fapi/v1/positionSide/dual with dualSidePosition=false.";
}
