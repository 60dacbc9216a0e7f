using System.Text.RegularExpressions;
using Afml.FakeBinance.Trading;

namespace Afml.FakeBinance.Rest;

/// <summary>POST /fapi/v1/order parameters → an <see cref="OrderRequest"/>, applying the symbol's precision and
/// LOT_SIZE / MARKET_LOT_SIZE / PRICE_FILTER rules with Binance's error codes. Notional, reduce-only and margin
/// need the account and are checked by the book.</summary>
internal static partial class OrderRequestParser
{
    [GeneratedRegex(@"^[\.A-Z\:/a-z0-9_-]{1,36}$")]
    private static partial Regex ClientIdPattern();

    private static readonly HashSet<string> AlgoTypes = ["STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"];

    public static (OrderRequest? Request, BinanceError? Error) Parse(RequestParameters p, FakeSymbolRules rules, Func<string> newClientOrderId)
    {
        var symbol = p["symbol"];
        if (symbol is null) return (null, BinanceError.Mandatory("symbol"));
        if (symbol != rules.Symbol) return (null, BinanceError.BadSymbol);
        var side = p["side"];
        if (side is null) return (null, BinanceError.Mandatory("side"));
        if (side is not ("BUY" or "SELL")) return (null, BinanceError.BadSide);
        var type = p["type"];
        if (type is null) return (null, BinanceError.Mandatory("type"));
        if (AlgoTypes.Contains(type)) return (null, BinanceError.AlgoOnly);
        if (type is not ("MARKET" or "LIMIT")) return (null, BinanceError.BadOrderType);
        var positionSide = p["positionSide"] ?? "BOTH";
        if (positionSide is not ("BOTH" or "LONG" or "SHORT")) return (null, BinanceError.BadParam("positionSide"));

        if (!p.TryDecimal("quantity", out var qty, out var bad)) return (null, bad ?? BinanceError.Mandatory("quantity"));
        if (qty <= 0m) return (null, BinanceError.QtyNotPositive);
        if (Num.SignificantDecimals(qty) > rules.QuantityPrecision) return (null, BinanceError.Precision);
        var isMarket = type == "MARKET";
        var (minQty, maxQty, step) = isMarket ? (rules.MarketMinQty, rules.MarketMaxQty, rules.MarketStepSize) : (rules.MinQty, rules.MaxQty, rules.StepSize);
        if (qty < minQty) return (null, BinanceError.QtyBelowMin);
        if (qty > maxQty) return (null, BinanceError.QtyAboveMax);
        if (!Num.IsMultiple(qty - minQty, step)) return (null, BinanceError.QtyStep);

        var price = 0m;
        var timeInForce = "GTC";
        if (!isMarket)
        {
            timeInForce = p["timeInForce"] ?? "";
            if (timeInForce.Length == 0) return (null, BinanceError.Mandatory("timeInForce"));
            if (timeInForce is not ("GTC" or "IOC" or "FOK" or "GTX")) return (null, new BinanceError(400, -1115, "Invalid timeInForce."));
            if (!p.TryDecimal("price", out price, out bad)) return (null, bad ?? BinanceError.Mandatory("price"));
            if (price <= 0m) return (null, BinanceError.BadParam("price"));
            if (Num.SignificantDecimals(price) > rules.PricePrecision) return (null, BinanceError.Precision);
            if (price < rules.MinPrice || price > rules.MaxPrice || !Num.IsMultiple(price - rules.MinPrice, rules.TickSize))
                return (null, BinanceError.PriceFilter);
        }
        else if (p.Has("price"))
        {
            return (null, new BinanceError(400, -1106, "Parameter 'price' sent when not required."));
        }

        var reduceOnly = false;
        if (p["reduceOnly"] is { } ro)
        {
            if (ro is not ("true" or "false" or "TRUE" or "FALSE")) return (null, BinanceError.BadParam("reduceOnly"));
            reduceOnly = ro.Equals("true", StringComparison.OrdinalIgnoreCase);
        }

        var clientId = p["newClientOrderId"];
        if (clientId is not null && !ClientIdPattern().IsMatch(clientId))
            return (null, clientId.Length > 36
                ? BinanceError.ClientIdInvalid
                : new BinanceError(400, -1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'."));

        var respType = p["newOrderRespType"] ?? "ACK";
        if (respType is not ("ACK" or "RESULT")) return (null, BinanceError.BadParam("newOrderRespType"));

        return (new OrderRequest(symbol, side, type, qty, price, timeInForce, reduceOnly, clientId ?? newClientOrderId(), respType == "RESULT", positionSide), null);
    }
}
