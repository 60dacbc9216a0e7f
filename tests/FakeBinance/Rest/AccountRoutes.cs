using System.Text.Json.Nodes;
using Afml.FakeBinance.Market;
using Afml.FakeBinance.Trading;

namespace Afml.FakeBinance.Rest;

/// <summary>USER_DATA account routes in both versions the doc names (v3 recommended, v2 for entryPrice/leverage),
/// and the account configuration: position mode, multi-assets mode, margin type, symbolConfig, leverageBracket.
/// Every answer follows <see cref="FakeAccountModes"/> as it is at the time of the call.</summary>
internal sealed class AccountRoutes(FakeSymbolRules rules, FakeMarket market, TradingBook book, FakeAccountModes modes)
{
    public void Map(RouteTable table)
    {
        table.Add("GET /fapi/v2/account", Security.Signed, 5, c => Task.FromResult(Account(c, v3: false)));
        table.Add("GET /fapi/v3/account", Security.Signed, 5, c => Task.FromResult(Account(c, v3: true)));
        table.Add("GET /fapi/v2/positionRisk", Security.Signed, 5, c => Task.FromResult(PositionRisk(c, v3: false)));
        table.Add("GET /fapi/v3/positionRisk", Security.Signed, 5, c => Task.FromResult(PositionRisk(c, v3: true)));
        table.Add("GET /fapi/v1/positionSide/dual", Security.Signed, 30, _ => Task.FromResult(Json(new JsonObject { ["dualSidePosition"] = modes.DualSidePosition })));
        table.Add("POST /fapi/v1/positionSide/dual", Security.Signed, 1, c => Task.FromResult(SetDual(c)));
        table.Add("GET /fapi/v1/multiAssetsMargin", Security.Signed, 30, _ => Task.FromResult(Json(new JsonObject { ["multiAssetsMargin"] = modes.MultiAssetsMargin })));
        table.Add("POST /fapi/v1/multiAssetsMargin", Security.Signed, 1, c => Task.FromResult(SetMultiAssets(c)));
        table.Add("POST /fapi/v1/marginType", Security.Signed, 1, c => Task.FromResult(SetMarginType(c)));
        table.Add("GET /fapi/v1/symbolConfig", Security.Signed, 5, c => Task.FromResult(SymbolConfig(c)));
        table.Add("GET /fapi/v1/leverageBracket", Security.Signed, 1, c => Task.FromResult(LeverageBracket(c)));
    }

    private static RestResponse Json(JsonNode node) => RestResponse.Json(node.ToJsonString());
    private static RestResponse Success => RestResponse.Json("{\"code\":200,\"msg\":\"success\"}");

    private RestResponse Account(RestCall call, bool v3) =>
        RestResponse.Json(book.AccountJson.Account(book.Snapshot(market.CurrentPrice), v3, call.Now, modes));

    private RestResponse PositionRisk(RestCall call, bool v3)
    {
        var symbol = call.Parameters["symbol"];
        if (symbol is not null && symbol != rules.Symbol) return RestResponse.Error(BinanceError.BadSymbol);
        return RestResponse.Json(book.AccountJson.PositionRisk(book.Snapshot(market.CurrentPrice), symbol, v3, modes));
    }

    private static bool? Flag(string? text) => text switch { "true" or "TRUE" => true, "false" or "FALSE" => false, _ => null };

    private RestResponse SetDual(RestCall call)
    {
        if (Flag(call.Parameters["dualSidePosition"]) is not { } dual) return RestResponse.Error(BinanceError.Mandatory("dualSidePosition"));
        if (dual == modes.DualSidePosition) return RestResponse.Error(BinanceError.NoNeedToChangePositionSide);
        if (book.HasPositionOrOpenOrders) return RestResponse.Error(BinanceError.PositionSideWithPosition);
        modes.DualSidePosition = dual;
        return Success;
    }

    private RestResponse SetMultiAssets(RestCall call)
    {
        if (Flag(call.Parameters["multiAssetsMargin"]) is not { } multi) return RestResponse.Error(BinanceError.Mandatory("multiAssetsMargin"));
        if (multi == modes.MultiAssetsMargin) return RestResponse.Error(BinanceError.NoNeedToChangeMultiAssets);
        modes.MultiAssetsMargin = multi;
        return Success;
    }

    private RestResponse SetMarginType(RestCall call)
    {
        var p = call.Parameters;
        var symbol = p["symbol"];
        if (symbol is null) return RestResponse.Error(BinanceError.Mandatory("symbol"));
        if (symbol != rules.Symbol) return RestResponse.Error(BinanceError.BadSymbol);
        var wanted = p["marginType"]?.ToUpperInvariant() switch { "ISOLATED" => "isolated", "CROSSED" => "cross", _ => null };
        if (wanted is null) return RestResponse.Error(BinanceError.BadParam("marginType"));
        if (wanted == modes.MarginType) return RestResponse.Error(BinanceError.NoNeedToChangeMarginType);
        if (book.HasPositionOrOpenOrders) return RestResponse.Error(BinanceError.MarginTypeWithPosition);
        modes.MarginType = wanted;
        return Success;
    }

    private RestResponse SymbolConfig(RestCall call)
    {
        var symbol = call.Parameters["symbol"];
        if (symbol is not null && symbol != rules.Symbol) return RestResponse.Error(BinanceError.BadSymbol);
        return Json(new JsonArray(new JsonObject
        {
            ["symbol"] = rules.Symbol,
            ["marginType"] = modes.MarginType == "isolated" ? "ISOLATED" : "CROSSED",
            ["isAutoAddMargin"] = "false",
            ["leverage"] = book.Leverage,
            ["maxNotionalValue"] = Num.Plain(rules.MaxNotionalValue),
        }));
    }

    /// <summary>One bracket table per symbol (the shape of Binance's answer; the numbers are illustrative).</summary>
    private RestResponse LeverageBracket(RestCall call)
    {
        var symbol = call.Parameters["symbol"];
        if (symbol is not null && symbol != rules.Symbol) return RestResponse.Error(BinanceError.BadSymbol);
        var brackets = new JsonArray();
        var tiers = new (int Leverage, decimal Cap, decimal Floor, decimal Mmr, decimal Cum)[]
        {
            (rules.MaxLeverage, 50_000m, 0m, 0.004m, 0m),
            (Math.Min(100, rules.MaxLeverage), 600_000m, 50_000m, 0.005m, 50m),
            (Math.Min(50, rules.MaxLeverage), rules.MaxNotionalValue, 600_000m, 0.01m, 3_050m),
        };
        for (var i = 0; i < tiers.Length; i++)
        {
            var t = tiers[i];
            brackets.Add(new JsonObject
            {
                ["bracket"] = i + 1, ["initialLeverage"] = t.Leverage, ["notionalCap"] = t.Cap, ["notionalFloor"] = t.Floor,
                ["maintMarginRatio"] = t.Mmr, ["cum"] = t.Cum,
            });
        }
        var entry = new JsonObject { ["symbol"] = rules.Symbol, ["brackets"] = brackets };
        // With a symbol Binance answers the object itself; without, the list.
        return symbol is null ? Json(new JsonArray(entry)) : Json(entry);
    }
}
