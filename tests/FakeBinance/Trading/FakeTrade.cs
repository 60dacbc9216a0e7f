namespace Afml.FakeBinance;

/// <summary>One fill (what GET /fapi/v1/userTrades lists). <see cref="Commission"/> is in <see cref="CommissionAsset"/>
/// (BNB when the account burns BNB for fees).</summary>
public sealed record FakeTrade(
    long Id,
    long OrderId,
    string Symbol,
    string Side,
    decimal Price,
    decimal Qty,
    decimal QuoteQty,
    decimal Commission,
    decimal RealizedPnl,
    long Time,
    string CommissionAsset = "USDT");
