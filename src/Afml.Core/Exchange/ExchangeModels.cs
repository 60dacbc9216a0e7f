namespace Afml.Core.Exchange;

public enum OrderSide { Buy, Sell }

public enum OrderStatus { New, PartiallyFilled, Filled, Canceled, Rejected, Expired }

/// <param name="Quantity">Base-asset quantity, positive. The venue rounds it to its step size.</param>
/// <param name="ReferencePrice">The price the decision was made at (the candle close); the simulated venue fills
/// here, a real venue uses it only for sizing checks.</param>
public sealed record MarketOrderRequest(
    string Symbol,
    OrderSide Side,
    double Quantity,
    bool ReduceOnly,
    string ClientOrderId,
    double ReferencePrice);

/// <param name="ExecutedQuantity">Base quantity actually filled (may be less than requested).</param>
/// <param name="AveragePrice">Volume-weighted fill price.</param>
/// <param name="Commission">Commission charged in quote asset, as the venue reports it.</param>
/// <param name="CommissionKnown">False when the venue's commission could not be read (then <see cref="Commission"/>
/// is 0 and means nothing).</param>
public sealed record OrderFill(
    string ClientOrderId,
    long? OrderId,
    OrderSide Side,
    OrderStatus Status,
    double ExecutedQuantity,
    double AveragePrice,
    double Commission,
    bool CommissionKnown = true);

/// <param name="WalletBalance">Cash balance.</param>
/// <param name="MarginBalance">Wallet balance plus unrealised PnL: the account equity.</param>
public sealed record AccountSnapshot(
    double WalletBalance,
    double MarginBalance,
    double UnrealizedPnl,
    double AvailableBalance);

/// <param name="Quantity">Signed position size: positive long, negative short, 0 flat.</param>
public sealed record PositionSnapshot(
    string Symbol,
    double Quantity,
    double EntryPrice,
    double UnrealizedPnl,
    int Leverage);

/// <summary>The symbol filters every quantity and price is rounded to.</summary>
public sealed record SymbolRules(
    string Symbol,
    decimal TickSize,
    decimal StepSize,
    decimal MinQuantity,
    decimal MaxQuantity,
    decimal MinNotional,
    decimal MarketStepSize,
    decimal MarketMinQuantity,
    decimal MarketMaxQuantity)
{
    /// <summary>The step a MARKET order's quantity moves by: MARKET_LOT_SIZE's, or LOT_SIZE's when the symbol has none.</summary>
    public decimal MarketLotStep => MarketStepSize > 0 ? MarketStepSize : StepSize;

    /// <summary>Rules that round nothing: the simulated venue's default, so replay keeps training's exact sizes.</summary>
    public static SymbolRules Unrestricted(string symbol) =>
        new(symbol, 0m, 0m, 0m, decimal.MaxValue, 0m, 0m, 0m, decimal.MaxValue);
}
