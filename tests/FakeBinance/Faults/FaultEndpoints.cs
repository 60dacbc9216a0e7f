namespace Afml.FakeBinance;

/// <summary>Endpoint keys fault rules match: REST routes are "METHOD /path" exactly as Binance spells them.</summary>
public static class FaultEndpoints
{
    public const string AnyRest = "*";
    public const string NewOrder = "POST /fapi/v1/order";
    public const string QueryOrder = "GET /fapi/v1/order";
    public const string NewAlgoOrder = "POST /fapi/v1/algoOrder";
    public const string QueryAlgoOrder = "GET /fapi/v1/algoOrder";
    public const string CancelAlgoOrder = "DELETE /fapi/v1/algoOrder";
    public const string KlineStream = "WS kline";
    public const string UserStream = "WS user";
    /// <summary>The <c>&lt;symbol&gt;@markPrice@1s</c> / <c>@markPrice</c> streams (<see cref="FaultKind.StreamSilent"/>,
    /// <see cref="FaultKind.StreamDrop"/>).</summary>
    public const string MarkPriceStream = "WS markPrice";
}
