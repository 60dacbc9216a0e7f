namespace Afml.Core.Exchange.Binance;

/// <summary>A successful answer: HTTP status and the raw JSON body.</summary>
public sealed record BinanceResponse(int Status, string Body);
