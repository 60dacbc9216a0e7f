namespace Afml.FakeBinance;

/// <summary>The one symbol the fake trades and its exchangeInfo filters (PRICE_FILTER, LOT_SIZE,
/// MARKET_LOT_SIZE, MIN_NOTIONAL) and precisions.</summary>
public sealed record FakeSymbolRules
{
    public string Symbol { get; init; } = "BTCUSDT";
    public string BaseAsset { get; init; } = "BTC";
    public string QuoteAsset { get; init; } = "USDT";
    public int PricePrecision { get; init; } = 2;
    public int QuantityPrecision { get; init; } = 3;
    public decimal MinPrice { get; init; } = 0.10m;
    public decimal MaxPrice { get; init; } = 1_000_000m;
    public decimal TickSize { get; init; } = 0.10m;
    public decimal MinQty { get; init; } = 0.001m;
    public decimal MaxQty { get; init; } = 1000m;
    public decimal StepSize { get; init; } = 0.001m;
    public decimal MarketMinQty { get; init; } = 0.001m;
    public decimal MarketMaxQty { get; init; } = 120m;
    public decimal MarketStepSize { get; init; } = 0.001m;
    public decimal MinNotional { get; init; } = 100m;
    public int MaxLeverage { get; init; } = 125;
    public decimal MaxNotionalValue { get; init; } = 1_000_000m;
    public int MaxOpenOrders { get; init; } = 200;

    public static FakeSymbolRules BtcUsdt { get; } = new();
}
