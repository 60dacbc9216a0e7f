namespace Afml.Core.MarketData.Binance;

/// <summary>One kline stream event: the bar so far, and whether it is final (<c>k.x</c>).</summary>
public readonly record struct KlineEvent(Candle Candle, long CloseTime, bool IsClosed);
