namespace Afml.FakeBinance;

/// <summary>An order as the fake holds it (a snapshot; the fake replaces it as it changes).</summary>
/// <param name="Side">BUY or SELL.</param>
/// <param name="Type">MARKET or LIMIT.</param>
/// <param name="Status">NEW, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED.</param>
/// <param name="Commission">USDT charged over all fills.</param>
public sealed record FakeOrder(
    long OrderId,
    string ClientOrderId,
    string Symbol,
    string Side,
    string Type,
    string TimeInForce,
    decimal OrigQty,
    decimal Price,
    decimal ExecutedQty,
    decimal AvgPrice,
    decimal CumQuote,
    string Status,
    bool ReduceOnly,
    decimal Commission,
    decimal RealizedPnl,
    long Time,
    long UpdateTime)
{
    public bool IsOpen => Status is "NEW" or "PARTIALLY_FILLED";
}
