namespace Afml.FakeBinance.Trading;

/// <summary>A validated POST /fapi/v1/order.</summary>
internal sealed record OrderRequest(
    string Symbol,
    string Side,
    string Type,
    decimal Quantity,
    decimal Price,
    string TimeInForce,
    bool ReduceOnly,
    string ClientOrderId,
    bool WantsResult,
    string PositionSide = "BOTH");
