using System.Text.Json.Nodes;
using Afml.Core.MarketData;
using Afml.FakeBinance.Market;

namespace Afml.FakeBinance.Rest;

/// <summary>NONE-security routes: ping, time, exchangeInfo, klines, ticker/price, ticker/24hr, premiumIndex. Besides the
/// traded symbol, BNBUSDT is quoted (at <see cref="FakeAccountModes.BnbPrice"/>) for BNB fee conversion.</summary>
internal sealed class MarketRoutes(FakeBinanceOptions options, FakeMarket market, KlineJson klines, FakeAccountModes modes)
{
    private const int MaxLimit = 1500;
    private const int DefaultLimit = 500;

    public void Map(RouteTable table)
    {
        table.Add("GET /fapi/v1/ping", Security.None, 1, _ => Task.FromResult(RestResponse.Json("{}")));
        table.Add("GET /fapi/v1/time", Security.None, 1, c => Task.FromResult(RestResponse.Json(new JsonObject { ["serverTime"] = c.Now }.ToJsonString())));
        table.Add("GET /fapi/v1/exchangeInfo", Security.None, 1, c => Task.FromResult(RestResponse.Json(ExchangeInfo(c.Now))));
        table.Add("GET /fapi/v1/klines", Security.None, KlineWeight, c => Task.FromResult(Klines(c)));
        table.Add("GET /fapi/v1/ticker/price", Security.None, p => p.Has("symbol") ? 1 : 2, c => Task.FromResult(Ticker(c)));
        table.Add("GET /fapi/v1/ticker/24hr", Security.None, p => p.Has("symbol") ? 1 : 40, c => Task.FromResult(Ticker24h(c)));
        table.Add("GET /fapi/v1/premiumIndex", Security.None, 1, c => Task.FromResult(PremiumIndex(c)));
    }

    private static int KlineWeight(RequestParameters p)
    {
        var limit = p.TryLong("limit", out var l, out _) ? l : DefaultLimit;
        return limit switch { < 100 => 1, < 500 => 2, <= 1000 => 5, _ => 10 };
    }

    private RestResponse Klines(RestCall call)
    {
        var p = call.Parameters;
        var symbol = p["symbol"];
        if (symbol is null) return RestResponse.Error(BinanceError.Mandatory("symbol"));
        if (symbol != options.Symbol.Symbol) return RestResponse.Error(BinanceError.BadSymbol);
        var interval = p["interval"];
        if (interval is null) return RestResponse.Error(BinanceError.Mandatory("interval"));
        if (!CandleInterval.TryParse(interval, out _)) return RestResponse.Error(BinanceError.BadInterval);
        // The scripted path exists in one interval only; asking for another is a test-setup mistake, so say so.
        if (interval != options.Interval.Text)
            return RestResponse.Error(new BinanceError(400, -1120, $"Invalid interval. The fake serves only {options.Interval.Text}."));
        var limit = (long)DefaultLimit;
        if (p.Has("limit") && (!p.TryLong("limit", out limit, out _) || limit < 1 || limit > MaxLimit))
            return RestResponse.Error(BinanceError.BadParam("limit"));
        long? start = null, end = null;
        if (p.Has("startTime")) { if (!p.TryLong("startTime", out var s, out var e)) return RestResponse.Error(e!); start = s; }
        if (p.Has("endTime")) { if (!p.TryLong("endTime", out var s, out var e)) return RestResponse.Error(e!); end = s; }
        if (start is { } a && end is { } b && a > b) return RestResponse.Error(new BinanceError(400, -1023, "Start time is greater than end time."));

        var rows = new JsonArray();
        foreach (var (candle, _) in market.Klines(start, end, (int)limit, options.IncludeOpenCandleInKlines))
            rows.Add(klines.RestArray(candle));
        return RestResponse.Json(rows.ToJsonString());
    }

    private const string Bnb = "BNBUSDT";

    private RestResponse? UnknownSymbol(RestCall call, bool bnbToo = false) =>
        call.Parameters["symbol"] is { } s && s != options.Symbol.Symbol && !(bnbToo && s == Bnb) ? RestResponse.Error(BinanceError.BadSymbol) : null;

    /// <summary>The quoted symbols and their one price each (last = mark = index).</summary>
    private IEnumerable<(string Symbol, decimal Price, int Places)> Quotes(RestCall call)
    {
        var only = call.Parameters["symbol"];
        if (only is null || only == options.Symbol.Symbol) yield return (options.Symbol.Symbol, market.CurrentPrice, options.Symbol.PricePrecision);
        if (only is null || only == Bnb) yield return (Bnb, modes.BnbPrice, 3);
    }

    private RestResponse Ticker(RestCall call)
    {
        if (UnknownSymbol(call, bnbToo: true) is { } error) return error;
        var list = new JsonArray();
        foreach (var (symbol, price, places) in Quotes(call))
            list.Add(new JsonObject { ["symbol"] = symbol, ["price"] = Num.Fixed(price, places), ["time"] = call.Now });
        return RestResponse.Json(call.Parameters.Has("symbol") ? list[0]!.ToJsonString() : list.ToJsonString());
    }

    /// <summary>24 h statistics over the last 24 closed candles of the path (BNBUSDT: flat at its price).</summary>
    private RestResponse Ticker24h(RestCall call)
    {
        if (UnknownSymbol(call, bnbToo: true) is { } error) return error;
        var list = new JsonArray();
        var dayBars = market.Klines(null, null, 24, false).Select(k => k.Item1).ToArray();
        foreach (var (symbol, price, places) in Quotes(call))
        {
            var own = symbol == options.Symbol.Symbol && dayBars.Length > 0;
            var open = own ? (decimal)dayBars[0].Open : price;
            var high = own ? Math.Max((decimal)dayBars.Max(b => b.High), price) : price;
            var low = own ? Math.Min((decimal)dayBars.Min(b => b.Low), price) : price;
            var volume = own ? (decimal)dayBars.Sum(b => b.Volume) : 0m;
            var change = price - open;
            list.Add(new JsonObject
            {
                ["symbol"] = symbol,
                ["priceChange"] = Num.Fixed(change, places),
                ["priceChangePercent"] = Num.Fixed(open == 0m ? 0m : change / open * 100m, 3),
                ["weightedAvgPrice"] = Num.Fixed(price, places),
                ["lastPrice"] = Num.Fixed(price, places),
                ["lastQty"] = "0.001",
                ["openPrice"] = Num.Fixed(open, places),
                ["highPrice"] = Num.Fixed(high, places),
                ["lowPrice"] = Num.Fixed(low, places),
                ["volume"] = Num.Fixed(volume, 3),
                ["quoteVolume"] = Num.Fixed(volume * price, 2),
                ["openTime"] = call.Now - 86_400_000,
                ["closeTime"] = call.Now,
                ["firstId"] = 1,
                ["lastId"] = 1,
                ["count"] = 1,
            });
        }
        return RestResponse.Json(call.Parameters.Has("symbol") ? list[0]!.ToJsonString() : list.ToJsonString());
    }

    private RestResponse PremiumIndex(RestCall call)
    {
        if (UnknownSymbol(call) is { } error) return error;
        var price = Num.Fixed(market.CurrentPrice, options.Symbol.PricePrecision);
        var index = new JsonObject
        {
            ["symbol"] = options.Symbol.Symbol,
            ["markPrice"] = price,
            ["indexPrice"] = price,
            ["estimatedSettlePrice"] = price,
            ["lastFundingRate"] = "0.00010000",
            ["interestRate"] = "0.00010000",
            ["nextFundingTime"] = (call.Now / 28_800_000 + 1) * 28_800_000,
            ["time"] = call.Now,
        };
        return RestResponse.Json(call.Parameters.Has("symbol") ? index.ToJsonString() : new JsonArray(index).ToJsonString());
    }

    private string ExchangeInfo(long now)
    {
        var r = options.Symbol;
        var symbol = new JsonObject
        {
            ["symbol"] = r.Symbol,
            ["pair"] = r.Symbol,
            ["contractType"] = "PERPETUAL",
            ["deliveryDate"] = 4133404800000,
            ["onboardDate"] = 1569398400000,
            ["status"] = "TRADING",
            ["maintMarginPercent"] = "2.5000",
            ["requiredMarginPercent"] = "5.0000",
            ["baseAsset"] = r.BaseAsset,
            ["quoteAsset"] = r.QuoteAsset,
            ["marginAsset"] = r.QuoteAsset,
            ["pricePrecision"] = r.PricePrecision,
            ["quantityPrecision"] = r.QuantityPrecision,
            ["baseAssetPrecision"] = 8,
            ["quotePrecision"] = 8,
            ["underlyingType"] = "COIN",
            ["underlyingSubType"] = new JsonArray("PoW"),
            ["triggerProtect"] = "0.0500",
            ["liquidationFee"] = "0.012500",
            ["marketTakeBound"] = "0.05",
            ["maxMoveOrderLimit"] = 10000,
            ["filters"] = new JsonArray(
                new JsonObject { ["filterType"] = "PRICE_FILTER", ["minPrice"] = Num.Plain(r.MinPrice), ["maxPrice"] = Num.Plain(r.MaxPrice), ["tickSize"] = Num.Plain(r.TickSize) },
                new JsonObject { ["filterType"] = "LOT_SIZE", ["minQty"] = Num.Plain(r.MinQty), ["maxQty"] = Num.Plain(r.MaxQty), ["stepSize"] = Num.Plain(r.StepSize) },
                new JsonObject { ["filterType"] = "MARKET_LOT_SIZE", ["minQty"] = Num.Plain(r.MarketMinQty), ["maxQty"] = Num.Plain(r.MarketMaxQty), ["stepSize"] = Num.Plain(r.MarketStepSize) },
                new JsonObject { ["filterType"] = "MAX_NUM_ORDERS", ["limit"] = r.MaxOpenOrders },
                new JsonObject { ["filterType"] = "MIN_NOTIONAL", ["notional"] = Num.Plain(r.MinNotional) },
                new JsonObject { ["filterType"] = "PERCENT_PRICE", ["multiplierUp"] = "1.0500", ["multiplierDown"] = "0.9500", ["multiplierDecimal"] = "4" }),
            ["orderTypes"] = new JsonArray("LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"),
            ["timeInForce"] = new JsonArray("GTC", "IOC", "FOK", "GTX"),
        };
        return new JsonObject
        {
            ["timezone"] = "UTC",
            ["serverTime"] = now,
            ["futuresType"] = "U_MARGINED",
            ["rateLimits"] = new JsonArray(
                new JsonObject { ["rateLimitType"] = "REQUEST_WEIGHT", ["interval"] = "MINUTE", ["intervalNum"] = 1, ["limit"] = options.WeightLimitPerMinute },
                new JsonObject { ["rateLimitType"] = "ORDERS", ["interval"] = "MINUTE", ["intervalNum"] = 1, ["limit"] = 1200 },
                new JsonObject { ["rateLimitType"] = "ORDERS", ["interval"] = "SECOND", ["intervalNum"] = 10, ["limit"] = 300 }),
            ["exchangeFilters"] = new JsonArray(),
            ["assets"] = new JsonArray(new JsonObject { ["asset"] = r.QuoteAsset, ["marginAvailable"] = true, ["autoAssetExchange"] = "-10000" }),
            ["symbols"] = new JsonArray(symbol),
        }.ToJsonString();
    }
}
