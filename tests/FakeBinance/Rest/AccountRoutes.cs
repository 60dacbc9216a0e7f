using Afml.FakeBinance.Market;
using Afml.FakeBinance.Trading;

namespace Afml.FakeBinance.Rest;

/// <summary>USER_DATA account routes in both versions the doc names (v3 recommended, v2 for entryPrice/leverage).</summary>
internal sealed class AccountRoutes(FakeSymbolRules rules, FakeMarket market, TradingBook book)
{
    public void Map(RouteTable table)
    {
        table.Add("GET /fapi/v2/account", Security.Signed, 5, c => Task.FromResult(Account(c, v3: false)));
        table.Add("GET /fapi/v3/account", Security.Signed, 5, c => Task.FromResult(Account(c, v3: true)));
        table.Add("GET /fapi/v2/positionRisk", Security.Signed, 5, c => Task.FromResult(PositionRisk(c, v3: false)));
        table.Add("GET /fapi/v3/positionRisk", Security.Signed, 5, c => Task.FromResult(PositionRisk(c, v3: true)));
        // The fake is one-way (BOTH) only, as the engine expects.
        table.Add("GET /fapi/v1/positionSide/dual", Security.Signed, 30, _ => Task.FromResult(RestResponse.Json("{\"dualSidePosition\":false}")));
    }

    private RestResponse Account(RestCall call, bool v3) =>
        RestResponse.Json(book.AccountJson.Account(book.Snapshot(market.CurrentPrice), v3, call.Now));

    private RestResponse PositionRisk(RestCall call, bool v3)
    {
        var symbol = call.Parameters["symbol"];
        if (symbol is not null && symbol != rules.Symbol) return RestResponse.Error(BinanceError.BadSymbol);
        return RestResponse.Json(book.AccountJson.PositionRisk(book.Snapshot(market.CurrentPrice), symbol, v3));
    }
}
