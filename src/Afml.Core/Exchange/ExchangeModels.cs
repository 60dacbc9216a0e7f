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
/// <param name="Commission">Commission in the quote asset (USDT): when the venue charged another asset (BNB with the
/// fee discount), its USDT value at the fill's time.</param>
/// <param name="Charges">The commission as the venue charged it, per asset, with each part's USDT value (null when the
/// venue gave no detail, e.g. the simulated account, which charges USDT only).</param>
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
    bool CommissionKnown = true,
    IReadOnlyList<CommissionCharge>? Charges = null)
{
    /// <summary>The charged asset(s), e.g. "USDT", "BNB", or "USDT+BNB" for a fill charged in both.</summary>
    public string? CommissionAsset => Charges is { Count: > 0 } c ? string.Join("+", c.Select(x => x.Asset)) : null;

    /// <summary>The raw amount(s) in <see cref="CommissionAsset"/>, invariant text ("0.00001", or "0.1462684+0.00001").</summary>
    public string? CommissionInAsset => Charges is { Count: > 0 } c
        ? string.Join("+", c.Select(x => x.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        : null;

    public bool Equals(OrderFill? other) =>
        other is not null && ClientOrderId == other.ClientOrderId && OrderId == other.OrderId && Side == other.Side && Status == other.Status
        && ExecutedQuantity.Equals(other.ExecutedQuantity) && AveragePrice.Equals(other.AveragePrice) && Commission.Equals(other.Commission)
        && CommissionKnown == other.CommissionKnown
        && CommissionAsset == other.CommissionAsset && CommissionInAsset == other.CommissionInAsset;

    public override int GetHashCode() => HashCode.Combine(ClientOrderId, OrderId, ExecutedQuantity, AveragePrice, Commission);
}

/// <param name="Asset">The asset charged (commissionAsset), e.g. USDT or BNB.</param>
/// <param name="Amount">The amount charged in that asset, as the venue reported it.</param>
/// <param name="UsdtValue">Its value in USDT at the fill's time (the asset's USDT price from the venue); equal to
/// <paramref name="Amount"/> for USDT; null when no price could be read.</param>
public sealed record CommissionCharge(string Asset, decimal Amount, decimal? UsdtValue);

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
