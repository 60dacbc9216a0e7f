using System.Globalization;
using System.Text.Json.Nodes;

namespace Afml.FakeBinance.Rest;

/// <summary>
/// The Algo Order API where conditional orders live since December 2025 (STOP_MARKET and friends on /fapi/v1/order
/// answer -4120): POST/GET/DELETE /fapi/v1/algoOrder, GET /fapi/v1/openAlgoOrders, DELETE /fapi/v1/algoOpenOrders.
/// algoType CONDITIONAL only. A STOP_MARKET rests as NEW until the fake's mark price (the newest published close, an
/// in-progress one included: <see cref="OnMark"/>) reaches its trigger; then it goes TRIGGERED → FINISHED and, with
/// closePosition, closes the whole position reduce-only at the mark (less <see cref="FakeBinanceOptions.StopSlippage"/>),
/// published as ALGO_UPDATE, ORDER_TRADE_UPDATE (ot STOP_MARKET, cp true) and ACCOUNT_UPDATE. As on Binance, a stop that
/// would trigger at once is refused (-2021) and a second close-all stop in the same direction too (-4130).
/// </summary>
internal sealed class AlgoRoutes(FakeSymbolRules rules, FakeAccountModes modes, Trading.TradingBook book, Func<decimal> mark,
    Action<IReadOnlyList<string>> publish, decimal stopSlippage = 0m)
{
    private static readonly HashSet<string> Types = ["STOP_MARKET", "TAKE_PROFIT_MARKET", "STOP", "TAKE_PROFIT", "TRAILING_STOP_MARKET"];
    private readonly object _gate = new();
    private readonly List<JsonObject> _orders = [];
    private long _nextId = 3_000_000_001;
    private int _peakLive;

    /// <summary>The algo orders resting (NEW) now.</summary>
    public IReadOnlyList<JsonObject> Live { get { lock (_gate) return _orders.Where(IsLive).Select(o => (JsonObject)o.DeepClone()).ToArray(); } }

    /// <summary>Every algo order ever placed, as the fake holds it now.</summary>
    public IReadOnlyList<JsonObject> All { get { lock (_gate) return _orders.Select(o => (JsonObject)o.DeepClone()).ToArray(); } }

    /// <summary>The most algo orders that were ever resting at once (1 for a keeper that never doubles its stop).</summary>
    public int PeakLive { get { lock (_gate) return _peakLive; } }

    private static bool IsLive(JsonObject o) => (string?)o["algoStatus"] == "NEW";

    /// <summary>The mark moved: every resting STOP_MARKET it reached triggers (SELL at or below its trigger, BUY at or above).</summary>
    public void OnMark(decimal price, long now)
    {
        lock (_gate)
        {
            foreach (var o in _orders.Where(IsLive).ToArray())
            {
                if ((string?)o["orderType"] != "STOP_MARKET") continue;
                var trigger = decimal.Parse((string)o["triggerPrice"]!, CultureInfo.InvariantCulture);
                var side = (string)o["side"]!;
                if (side == "SELL" ? price > trigger : price < trigger) continue;
                o["algoStatus"] = "TRIGGERED";
                o["triggerTime"] = now;
                o["updateTime"] = now;
                publish([AlgoUpdate(o, now)]);
                var fill = Math.Round(side == "SELL" ? price * (1m - stopSlippage) : price * (1m + stopSlippage), rules.PricePrecision, MidpointRounding.AwayFromZero);
                var filled = (bool)o["closePosition"]!
                    ? book.CloseByStop(side, fill, trigger, now, (string)o["clientAlgoId"]!, publish)
                    : null;
                o["algoStatus"] = filled is null ? "EXPIRED" : "FINISHED";
                o["actualOrderId"] = filled?.OrderId.ToString(CultureInfo.InvariantCulture) ?? "";
                o["executedQty"] = Num.Fixed(filled?.ExecutedQty ?? 0m, rules.QuantityPrecision);
                o["avgPrice"] = Num.Fixed(filled?.AvgPrice ?? 0m, rules.PricePrecision);
                publish([AlgoUpdate(o, now)]);
            }
        }
    }

    private static string AlgoUpdate(JsonObject o, long now) => new JsonObject
    {
        ["e"] = "ALGO_UPDATE",
        ["T"] = now,
        ["E"] = now,
        ["o"] = new JsonObject
        {
            ["caid"] = (string?)o["clientAlgoId"],
            ["aid"] = (long)o["algoId"]!,
            ["at"] = "CONDITIONAL",
            ["o"] = (string?)o["orderType"],
            ["s"] = (string?)o["symbol"],
            ["S"] = (string?)o["side"],
            ["ps"] = (string?)o["positionSide"],
            ["f"] = (string?)o["timeInForce"],
            ["q"] = (string?)o["quantity"],
            ["X"] = (string?)o["algoStatus"],
            ["ai"] = (string?)o["actualOrderId"] ?? "",
            ["ap"] = (string?)o["avgPrice"] ?? "0",
            ["aq"] = (string?)o["executedQty"] ?? "0",
            ["act"] = "0",
            ["tp"] = (string?)o["triggerPrice"],
            ["p"] = (string?)o["price"],
            ["V"] = "EXPIRE_MAKER",
            ["wt"] = (string?)o["workingType"],
            ["pm"] = "NONE",
            ["cp"] = (bool)o["closePosition"]!,
            ["pP"] = (bool)o["priceProtect"]!,
            ["R"] = (bool)o["reduceOnly"]!,
            ["tt"] = (long)o["triggerTime"]!,
            ["gtd"] = 0,
        },
    }.ToJsonString();

    public void Map(RouteTable table)
    {
        table.Add("POST /fapi/v1/algoOrder", Security.Signed, 0, c => Task.FromResult(New(c)));
        table.Add("GET /fapi/v1/algoOrder", Security.Signed, 1, c => Task.FromResult(Query(c)));
        table.Add("DELETE /fapi/v1/algoOrder", Security.Signed, 1, c => Task.FromResult(Cancel(c)));
        table.Add("GET /fapi/v1/openAlgoOrders", Security.Signed, p => p.Has("symbol") ? 1 : 40, c => Task.FromResult(Open()));
        table.Add("DELETE /fapi/v1/algoOpenOrders", Security.Signed, 1, c => Task.FromResult(CancelAll(c)));
    }

    private RestResponse New(RestCall call)
    {
        var p = call.Parameters;
        if (p["algoType"] is not "CONDITIONAL") return RestResponse.Error(p.Has("algoType") ? BinanceError.BadParam("algoType") : BinanceError.Mandatory("algoType"));
        var symbol = p["symbol"];
        if (symbol is null) return RestResponse.Error(BinanceError.Mandatory("symbol"));
        if (symbol != rules.Symbol) return RestResponse.Error(BinanceError.BadSymbol);
        var side = p["side"];
        if (side is not ("BUY" or "SELL")) return RestResponse.Error(side is null ? BinanceError.Mandatory("side") : BinanceError.BadSide);
        var type = p["type"];
        if (type is null || !Types.Contains(type)) return RestResponse.Error(type is null ? BinanceError.Mandatory("type") : BinanceError.BadOrderType);
        var positionSide = p["positionSide"] ?? "BOTH";
        if (modes.DualSidePosition != (positionSide != "BOTH")) return RestResponse.Error(BinanceError.PositionSideMismatch);
        if (!p.TryDecimal("triggerPrice", out var trigger, out var bad) && type != "TRAILING_STOP_MARKET")
            return RestResponse.Error(bad ?? BinanceError.Mandatory("triggerPrice"));
        var closePosition = string.Equals(p["closePosition"], "true", StringComparison.OrdinalIgnoreCase);
        decimal qty = 0;
        if (!closePosition && (!p.TryDecimal("quantity", out qty, out bad) || qty <= 0)) return RestResponse.Error(bad ?? BinanceError.Mandatory("quantity"));
        if (closePosition && p.Has("quantity")) return RestResponse.Error(new BinanceError(400, -1106, "Parameter 'quantity' sent when not required."));
        var clientAlgoId = p["clientAlgoId"] ?? "fakealgo_" + _nextId.ToString(CultureInfo.InvariantCulture);
        lock (_gate)
        {
            if (_orders.Any(o => (string?)o["clientAlgoId"] == clientAlgoId && (string?)o["algoStatus"] == "NEW"))
                return RestResponse.Error(BinanceError.ClientIdDuplicated);
            if (closePosition && _orders.Any(o => IsLive(o) && (bool)o["closePosition"]! && (string?)o["side"] == side && (string?)o["orderType"] == type))
                return RestResponse.Error(new BinanceError(400, -4130, "An open stop or take profit order with GTE and closePosition in the direction is existing."));
            if (type == "STOP_MARKET" && (side == "SELL" ? trigger >= mark() : trigger <= mark()))
                return RestResponse.Error(new BinanceError(400, -2021, "Order would immediately trigger."));
            var order = new JsonObject
            {
                ["algoId"] = _nextId++,
                ["clientAlgoId"] = clientAlgoId,
                ["algoType"] = "CONDITIONAL",
                ["orderType"] = type,
                ["symbol"] = symbol,
                ["side"] = side,
                ["positionSide"] = positionSide,
                ["timeInForce"] = p["timeInForce"] ?? "GTC",
                ["quantity"] = Num.Fixed(qty, rules.QuantityPrecision),
                ["algoStatus"] = "NEW",
                ["triggerPrice"] = Num.Fixed(trigger, rules.PricePrecision),
                ["price"] = Num.Fixed(p.TryDecimal("price", out var price, out _) ? price : 0m, rules.PricePrecision),
                ["selfTradePreventionMode"] = "EXPIRE_MAKER",
                ["workingType"] = p["workingType"] ?? "CONTRACT_PRICE",
                ["priceMatch"] = "NONE",
                ["closePosition"] = closePosition,
                ["priceProtect"] = string.Equals(p["priceProtect"], "true", StringComparison.OrdinalIgnoreCase),
                ["reduceOnly"] = closePosition || string.Equals(p["reduceOnly"], "true", StringComparison.OrdinalIgnoreCase),
                ["activatePrice"] = "",
                ["callbackRate"] = "",
                ["createTime"] = call.Now,
                ["updateTime"] = call.Now,
                ["triggerTime"] = 0L,
                ["goodTillDate"] = 0,
            };
            _orders.Add(order);
            _peakLive = Math.Max(_peakLive, _orders.Count(IsLive));
            publish([AlgoUpdate(order, call.Now)]);
            return RestResponse.Json(order.ToJsonString()) with { IsOrderPlacement = true };
        }
    }

    private JsonObject? Find(RequestParameters p)
    {
        if (p.TryLong("algoId", out var id, out _)) return _orders.LastOrDefault(o => (long)o["algoId"]! == id);
        return p["clientAlgoId"] is { } cid ? _orders.LastOrDefault(o => (string?)o["clientAlgoId"] == cid) : null;
    }

    private RestResponse Query(RestCall call)
    {
        lock (_gate)
        {
            if (!call.Parameters.Has("algoId") && !call.Parameters.Has("clientAlgoId")) return RestResponse.Error(new BinanceError(400, -1102, "Param 'algoId' or 'clientAlgoId' must be sent, but both were empty/null!"));
            return Find(call.Parameters) is { } o ? RestResponse.Json(o.ToJsonString()) : RestResponse.Error(new BinanceError(400, -2013, "Order does not exist."));
        }
    }

    private RestResponse Cancel(RestCall call)
    {
        lock (_gate)
        {
            if (Find(call.Parameters) is not { } o || (string?)o["algoStatus"] != "NEW") return RestResponse.Error(BinanceError.UnknownOrder);
            o["algoStatus"] = "CANCELED";
            o["updateTime"] = call.Now;
            publish([AlgoUpdate(o, call.Now)]);
            return RestResponse.Json(new JsonObject { ["algoId"] = (long)o["algoId"]!, ["clientAlgoId"] = (string?)o["clientAlgoId"], ["code"] = "200", ["msg"] = "success" }.ToJsonString());
        }
    }

    private RestResponse Open()
    {
        lock (_gate) return RestResponse.Json(new JsonArray(_orders.Where(o => (string?)o["algoStatus"] == "NEW").Select(o => (JsonNode)o.DeepClone()).ToArray()).ToJsonString());
    }

    private RestResponse CancelAll(RestCall call)
    {
        if (call.Parameters["symbol"] is not { } symbol) return RestResponse.Error(BinanceError.Mandatory("symbol"));
        if (symbol != rules.Symbol) return RestResponse.Error(BinanceError.BadSymbol);
        lock (_gate)
            foreach (var o in _orders.Where(o => (string?)o["algoStatus"] == "NEW")) { o["algoStatus"] = "CANCELED"; o["updateTime"] = call.Now; publish([AlgoUpdate(o, call.Now)]); }
        return RestResponse.Json("{\"code\":200,\"msg\":\"The operation of cancel all open order is done.\"}");
    }
}
