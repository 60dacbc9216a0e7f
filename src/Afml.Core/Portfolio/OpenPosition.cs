namespace Afml.Core.Portfolio;

/// <summary>The book's open position (the reference's <c>Posicion</c>), immutable: every change replaces it.</summary>
/// <param name="TradeId">Unique id, counting up across resets.</param>
/// <param name="Side">Long or short.</param>
/// <param name="EntryPrice">Entry price; after an increase the quantity-weighted average.</param>
/// <param name="Quantity">Base quantity, positive.</param>
/// <param name="Pct">Investment fraction the agent asked for, kept as float32 like the reference's numpy scalar;
/// increases and reductions add/subtract their float32 Δ.</param>
/// <param name="CandlesOpen">Candles seen while open (<c>velas</c>).</param>
/// <param name="Margin">Margin locked in the position.</param>
/// <param name="Commission">Commission paid so far by this trade (open, increases, reductions).</param>
/// <param name="Slippage">Slippage paid so far by this trade.</param>
public sealed record OpenPosition(
    long TradeId,
    PositionSide Side,
    double EntryPrice,
    double Quantity,
    float Pct,
    int CandlesOpen,
    double Margin,
    double Commission,
    double Slippage)
{
    /// <summary>side·(price − entry)·qty, evaluated as the reference does: ((price − entry)·qty)·side.</summary>
    public double UnrealizedPnl(double price) => (price - EntryPrice) * Quantity * Side.Sign();
}
