namespace Afml.FakeBinance;

/// <summary>One fill (what GET /fapi/v1/userTrades lists).</summary>
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
    long Time);
