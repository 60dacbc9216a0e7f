using System.Text.Json.Nodes;

namespace Afml.FakeBinance.Trading;

/// <summary>Order objects (POST/GET/DELETE /fapi/v1/order, openOrders) and ORDER_TRADE_UPDATE events.</summary>
internal sealed class OrderJson(FakeSymbolRules rules)
{
    private string Q(decimal v) => Num.Fixed(v, rules.QuantityPrecision);
    private string P(decimal v) => Num.Fixed(v, rules.PricePrecision);

    /// <param name="ack">ACK view: the order as accepted, before any fill.</param>
    /// <param name="withTime">Query views carry the creation <c>time</c>.</param>
    public JsonObject Order(FakeOrder o, bool ack = false, bool withTime = false)
    {
        var json = new JsonObject
        {
            ["orderId"] = o.OrderId,
            ["symbol"] = o.Symbol,
            ["status"] = ack ? "NEW" : o.Status,
            ["clientOrderId"] = o.ClientOrderId,
            ["price"] = o.Type == "MARKET" ? "0" : P(o.Price),
            ["avgPrice"] = ack ? P(0m) : P(o.AvgPrice),
            ["origQty"] = Q(o.OrigQty),
            ["executedQty"] = Q(ack ? 0m : o.ExecutedQty),
            ["cumQty"] = Q(ack ? 0m : o.ExecutedQty),
            ["cumQuote"] = Num.Fixed(ack ? 0m : o.CumQuote, 5),
            ["timeInForce"] = o.TimeInForce,
            ["type"] = o.Type,
            ["origType"] = o.Type,
            ["reduceOnly"] = o.ReduceOnly,
            ["closePosition"] = false,
            ["side"] = o.Side,
            ["positionSide"] = "BOTH",
            ["stopPrice"] = "0",
            ["workingType"] = "CONTRACT_PRICE",
            ["priceProtect"] = false,
            ["priceMatch"] = "NONE",
            ["selfTradePreventionMode"] = "EXPIRE_MAKER",
            ["goodTillDate"] = 0,
        };
        if (withTime) json["time"] = o.Time;
        json["updateTime"] = ack ? o.Time : o.UpdateTime;
        return json;
    }

    /// <param name="execution">NEW, TRADE, CANCELED, EXPIRED.</param>
    /// <param name="status">Order status after this event.</param>
    /// <param name="origType">The original type (<c>ot</c>): STOP_MARKET for the order a triggered stop became.</param>
    /// <param name="closePosition">The <c>cp</c> flag of a triggered close-all stop.</param>
    public string TradeUpdate(FakeOrder o, string execution, string status, FakeTrade? fill, decimal cumQty, decimal avgPrice, int expiryReason, long eventTime,
        string? origType = null, bool closePosition = false, decimal stopPrice = 0m)
    {
        var inner = new JsonObject
        {
            ["s"] = o.Symbol,
            ["c"] = o.ClientOrderId,
            ["S"] = o.Side,
            ["o"] = o.Type,
            ["f"] = o.TimeInForce,
            ["q"] = Q(o.OrigQty),
            ["p"] = o.Type == "MARKET" ? "0" : P(o.Price),
            ["ap"] = P(avgPrice),
            ["sp"] = stopPrice == 0m ? "0" : P(stopPrice),
            ["x"] = execution,
            ["X"] = status,
            ["i"] = o.OrderId,
            ["l"] = Q(fill?.Qty ?? 0m),
            ["z"] = Q(cumQty),
            ["L"] = P(fill?.Price ?? 0m),
        };
        if (fill is not null)
        {
            inner["N"] = fill.CommissionAsset;
            inner["n"] = Num.Fixed(fill.Commission, 8);
        }
        inner["T"] = eventTime;
        inner["t"] = fill?.Id ?? 0;
        inner["b"] = "0";
        inner["a"] = "0";
        inner["m"] = false;
        inner["R"] = o.ReduceOnly;
        inner["wt"] = origType is null ? "CONTRACT_PRICE" : "MARK_PRICE";
        inner["ot"] = origType ?? o.Type;
        inner["ps"] = "BOTH";
        inner["cp"] = closePosition;
        inner["rp"] = Num.Fixed(fill?.RealizedPnl ?? 0m, 8);
        inner["pP"] = false;
        inner["si"] = 0;
        inner["ss"] = 0;
        inner["V"] = "EXPIRE_MAKER";
        inner["pm"] = "NONE";
        inner["gtd"] = 0;
        inner["er"] = expiryReason.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new JsonObject { ["e"] = "ORDER_TRADE_UPDATE", ["E"] = eventTime, ["T"] = eventTime, ["o"] = inner }.ToJsonString();
    }
}
