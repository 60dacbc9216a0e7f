using System.Text.Json;

namespace Afml.Core.Exchange.Binance;

/// <summary>An order as POST/GET /fapi/v1/order return it (the fields the client acts on).</summary>
public sealed record BinanceOrder(long? OrderId, string ClientOrderId, string Status, OrderSide? Side, decimal ExecutedQuantity, decimal AveragePrice, decimal CumulativeQuote)
{
    /// <summary>FILLED, CANCELED, REJECTED, EXPIRED, EXPIRED_IN_MATCH: nothing more will happen to it.</summary>
    public bool IsFinal => Status is "FILLED" or "CANCELED" or "REJECTED" or "EXPIRED" or "EXPIRED_IN_MATCH";

    public OrderStatus MappedStatus => Status switch
    {
        "NEW" => OrderStatus.New,
        "PARTIALLY_FILLED" => OrderStatus.PartiallyFilled,
        "FILLED" => OrderStatus.Filled,
        "CANCELED" => OrderStatus.Canceled,
        "REJECTED" => OrderStatus.Rejected,
        _ => OrderStatus.Expired,
    };

    /// <summary>Average price, from cumQuote / executedQty when avgPrice is absent or zero.</summary>
    public decimal EffectivePrice => AveragePrice > 0 ? AveragePrice : ExecutedQuantity > 0 ? CumulativeQuote / ExecutedQuantity : 0;

    public static BinanceOrder Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var o = doc.RootElement;
        var side = BinanceJson.TryString(o, "side") switch { "BUY" => OrderSide.Buy, "SELL" => (OrderSide?)OrderSide.Sell, _ => null };
        return new BinanceOrder(
            BinanceJson.TryLong(o, "orderId"),
            BinanceJson.TryString(o, "clientOrderId") ?? "",
            BinanceJson.TryString(o, "status") ?? "NEW",
            side,
            BinanceJson.TryDecimal(o, "executedQty") ?? 0,
            BinanceJson.TryDecimal(o, "avgPrice") ?? 0,
            BinanceJson.TryDecimal(o, "cumQuote") ?? 0);
    }
}
