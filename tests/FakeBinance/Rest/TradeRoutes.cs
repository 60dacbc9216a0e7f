using System.Text.Json.Nodes;
using Afml.FakeBinance.Market;
using Afml.FakeBinance.Trading;

namespace Afml.FakeBinance.Rest;

/// <summary>SIGNED trading routes: order (new, query, cancel), allOpenOrders, openOrders, leverage, userTrades.</summary>
internal sealed class TradeRoutes(FakeSymbolRules rules, FakeMarket market, TradingBook book, Action<IReadOnlyList<string>> publishUserEvents)
{
    public void Map(RouteTable table)
    {
        table.Add("POST /fapi/v1/order", Security.Signed, 0, c => Task.FromResult(NewOrder(c)));
        table.Add("POST /fapi/v1/order/test", Security.Signed, 0, c => Task.FromResult(TestOrder(c)));
        table.Add("GET /fapi/v1/order", Security.Signed, 1, c => Task.FromResult(QueryOrder(c)));
        table.Add("DELETE /fapi/v1/order", Security.Signed, 1, c => Task.FromResult(CancelOrder(c)));
        table.Add("DELETE /fapi/v1/allOpenOrders", Security.Signed, 1, c => Task.FromResult(CancelAll(c)));
        table.Add("GET /fapi/v1/openOrders", Security.Signed, p => p.Has("symbol") ? 1 : 40, c => Task.FromResult(OpenOrders(c)));
        table.Add("POST /fapi/v1/leverage", Security.Signed, 1, c => Task.FromResult(Leverage(c)));
        table.Add("GET /fapi/v1/userTrades", Security.Signed, 5, c => Task.FromResult(UserTrades(c)));
    }

    private RestResponse NewOrder(RestCall call)
    {
        var (request, error) = OrderRequestParser.Parse(call.Parameters, rules, book.NewClientOrderId);
        if (error is not null) return RestResponse.Error(error);
        var fillRatio = call.Fault is { Kind: FaultKind.PartialFill } f ? f.FillRatio : (decimal?)null;
        var (order, rejection) = book.Place(request!, market.CurrentPrice, call.Now, fillRatio, publishUserEvents);
        if (rejection is not null) return RestResponse.Error(rejection) with { IsOrderPlacement = true };
        return RestResponse.Json(book.OrderJson.Order(order!, ack: !request!.WantsResult).ToJsonString()) with { IsOrderPlacement = true };
    }

    private RestResponse TestOrder(RestCall call)
    {
        var (_, error) = OrderRequestParser.Parse(call.Parameters, rules, book.NewClientOrderId);
        return error is null ? RestResponse.Json("{}") : RestResponse.Error(error);
    }

    private (long? OrderId, string? ClientId, BinanceError? Error) OrderKey(RequestParameters p)
    {
        var symbol = p["symbol"];
        if (symbol is null) return (null, null, BinanceError.Mandatory("symbol"));
        if (symbol != rules.Symbol) return (null, null, BinanceError.BadSymbol);
        if (p.Has("orderId"))
        {
            if (!p.TryLong("orderId", out var id, out var bad)) return (null, null, bad);
            return (id, null, null);
        }
        var clientId = p["origClientOrderId"];
        return clientId is null ? (null, null, BinanceError.EitherOrderId) : (null, clientId, null);
    }

    private RestResponse QueryOrder(RestCall call)
    {
        var (id, clientId, error) = OrderKey(call.Parameters);
        if (error is not null) return RestResponse.Error(error);
        var order = book.Find(id, clientId);
        return order is null ? RestResponse.Error(BinanceError.NoSuchOrder) : RestResponse.Json(book.OrderJson.Order(order, withTime: true).ToJsonString());
    }

    private RestResponse CancelOrder(RestCall call)
    {
        var (id, clientId, error) = OrderKey(call.Parameters);
        if (error is not null) return RestResponse.Error(error);
        var order = book.Cancel(id, clientId, call.Now, publishUserEvents);
        return order is null ? RestResponse.Error(BinanceError.UnknownOrder) : RestResponse.Json(book.OrderJson.Order(order).ToJsonString());
    }

    private RestResponse CancelAll(RestCall call)
    {
        var symbol = call.Parameters["symbol"];
        if (symbol is null) return RestResponse.Error(BinanceError.Mandatory("symbol"));
        if (symbol != rules.Symbol) return RestResponse.Error(BinanceError.BadSymbol);
        book.CancelAll(call.Now, publishUserEvents);
        return RestResponse.Json("{\"code\":200,\"msg\":\"The operation of cancel all open order is done.\"}");
    }

    private RestResponse OpenOrders(RestCall call)
    {
        var symbol = call.Parameters["symbol"];
        if (symbol is not null && symbol != rules.Symbol) return RestResponse.Error(BinanceError.BadSymbol);
        var list = new JsonArray();
        foreach (var o in book.OpenOrders()) list.Add(book.OrderJson.Order(o, withTime: true));
        return RestResponse.Json(list.ToJsonString());
    }

    private RestResponse Leverage(RestCall call)
    {
        var p = call.Parameters;
        var symbol = p["symbol"];
        if (symbol is null) return RestResponse.Error(BinanceError.Mandatory("symbol"));
        if (symbol != rules.Symbol) return RestResponse.Error(BinanceError.BadSymbol);
        if (!p.TryLong("leverage", out var leverage, out var bad)) return RestResponse.Error(bad ?? BinanceError.Mandatory("leverage"));
        if (leverage < 1 || leverage > rules.MaxLeverage) return RestResponse.Error(BinanceError.Leverage((int)Math.Clamp(leverage, int.MinValue, int.MaxValue)));
        var set = book.SetLeverage((int)leverage);
        return RestResponse.Json(new JsonObject { ["leverage"] = set, ["maxNotionalValue"] = Num.Plain(rules.MaxNotionalValue), ["symbol"] = symbol }.ToJsonString());
    }

    private RestResponse UserTrades(RestCall call)
    {
        var p = call.Parameters;
        var symbol = p["symbol"];
        if (symbol is null) return RestResponse.Error(BinanceError.Mandatory("symbol"));
        if (symbol != rules.Symbol) return RestResponse.Error(BinanceError.BadSymbol);
        long? orderId = p.TryLong("orderId", out var id, out _) ? id : null;
        var limit = p.TryLong("limit", out var l, out _) ? (int)Math.Clamp(l, 1, 1000) : 500;
        // As on Binance: fromId lists from that trade id on (oldest first, up to limit); startTime from that time on;
        // neither: the most recent trades.
        long? fromId = p.TryLong("fromId", out var f, out _) ? f : null;
        long? startTime = p.TryLong("startTime", out var st, out _) ? st : null;
        var matching = book.Trades.Where(t => (orderId is null || t.OrderId == orderId) && (fromId is null || t.Id >= fromId) && (startTime is null || t.Time >= startTime));
        var list = new JsonArray();
        foreach (var t in fromId is not null || startTime is not null ? matching.Take(limit) : matching.TakeLast(limit))
        {
            list.Add(new JsonObject
            {
                ["buyer"] = t.Side == "BUY",
                ["commission"] = Num.Fixed(t.Commission, 8),
                ["commissionAsset"] = t.CommissionAsset,
                ["id"] = t.Id,
                ["maker"] = false,
                ["orderId"] = t.OrderId,
                ["price"] = Num.Fixed(t.Price, rules.PricePrecision),
                ["qty"] = Num.Fixed(t.Qty, rules.QuantityPrecision),
                ["quoteQty"] = Num.Fixed(t.QuoteQty, 5),
                ["realizedPnl"] = Num.Fixed(t.RealizedPnl, 8),
                ["side"] = t.Side,
                ["positionSide"] = "BOTH",
                ["symbol"] = t.Symbol,
                ["time"] = t.Time,
            });
        }
        return RestResponse.Json(list.ToJsonString());
    }
}
