using System.Net;
using System.Text;
using System.Web;

namespace Afml.Tests.Exchange.Binance;

/// <summary>A scripted Binance REST server as an HttpMessageHandler: routes by "METHOD /path" to a responder;
/// records every request. Unrouted requests are 404s.</summary>
internal sealed class StubBinance : HttpMessageHandler
{
    private readonly Dictionary<string, Func<Recorded, CancellationToken, Task<HttpResponseMessage>>> _routes = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public sealed record Recorded(string Method, string Path, string Query, string? ApiKey, DateTimeOffset At)
    {
        public string? Param(string name) => HttpUtility.ParseQueryString(Query)[name];
    }

    public StubBinance(TimeProvider clock, long serverOffsetMs = 0)
    {
        Clock = clock;
        ServerOffsetMs = serverOffsetMs;
        On("GET /fapi/v1/time", _ => Json($"{{\"serverTime\":{ServerNow}}}"));
        // A plain one-way, single-asset, cross account unless a test says otherwise.
        On("GET /fapi/v1/positionSide/dual", _ => Json("{\"dualSidePosition\":false}"));
        On("GET /fapi/v1/multiAssetsMargin", _ => Json("{\"multiAssetsMargin\":false}"));
        On("GET /fapi/v1/symbolConfig", _ => Json("[{\"symbol\":\"BTCUSDT\",\"marginType\":\"CROSSED\",\"isAutoAddMargin\":\"false\",\"leverage\":20,\"maxNotionalValue\":\"1000000\"}]"));
    }

    public TimeProvider Clock { get; }
    public long ServerOffsetMs { get; set; }
    public long ServerNow => Clock.GetUtcNow().ToUnixTimeMilliseconds() + ServerOffsetMs;
    public List<Recorded> Requests { get; } = [];

    public int Count(string route) { lock (_gate) return Requests.Count(r => $"{r.Method} {r.Path}" == route); }

    public StubBinance On(string route, Func<Recorded, HttpResponseMessage> respond) =>
        OnAsync(route, (r, _) => Task.FromResult(respond(r)));

    public StubBinance OnAsync(string route, Func<Recorded, CancellationToken, Task<HttpResponseMessage>> respond)
    {
        _routes[route] = respond;
        return this;
    }

    /// <summary>Answers in turn; the last one repeats.</summary>
    public StubBinance OnSequence(string route, params Func<Recorded, HttpResponseMessage>[] answers)
    {
        var i = 0;
        return On(route, r => answers[Math.Min(i++, answers.Length - 1)](r));
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var uri = request.RequestUri!;
        var rec = new Recorded(request.Method.Method, uri.AbsolutePath, uri.Query.TrimStart('?'),
            request.Headers.TryGetValues("X-MBX-APIKEY", out var k) ? k.First() : null, Clock.GetUtcNow());
        lock (_gate) Requests.Add(rec);
        return _routes.TryGetValue($"{rec.Method} {rec.Path}", out var respond)
            ? respond(rec, ct)
            : Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("") });
    }

    public static HttpResponseMessage Json(string body, HttpStatusCode status = HttpStatusCode.OK, Action<HttpResponseMessage>? edit = null)
    {
        var m = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        edit?.Invoke(m);
        return m;
    }

    public static HttpResponseMessage Error(int code, string msg, HttpStatusCode status = HttpStatusCode.BadRequest) =>
        Json($"{{\"code\":{code},\"msg\":\"{msg}\"}}", status);

    public static string Order(string cid, string status = "FILLED", string executed = "0.010", string avg = "37004.10", string side = "BUY") =>
        $"{{\"orderId\":4000000123,\"symbol\":\"BTCUSDT\",\"status\":\"{status}\",\"clientOrderId\":\"{cid}\",\"price\":\"0\",\"avgPrice\":\"{avg}\"," +
        $"\"origQty\":\"0.010\",\"executedQty\":\"{executed}\",\"cumQty\":\"{executed}\",\"cumQuote\":\"370.04100\",\"type\":\"MARKET\",\"side\":\"{side}\",\"updateTime\":1700000000123}}";

    public const string ExchangeInfo = """
        {"timezone":"UTC","serverTime":1,"rateLimits":[
          {"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":2400},
          {"rateLimitType":"ORDERS","interval":"MINUTE","intervalNum":1,"limit":1200}],
         "symbols":[{"symbol":"BTCUSDT","pair":"BTCUSDT","contractType":"PERPETUAL","status":"TRADING",
          "pricePrecision":2,"quantityPrecision":3,
          "filters":[
           {"filterType":"PRICE_FILTER","minPrice":"0.10","maxPrice":"1000000","tickSize":"0.10"},
           {"filterType":"LOT_SIZE","minQty":"0.001","maxQty":"1000","stepSize":"0.001"},
           {"filterType":"MARKET_LOT_SIZE","minQty":"0.001","maxQty":"120","stepSize":"0.001"},
           {"filterType":"MAX_NUM_ORDERS","limit":200},
           {"filterType":"MIN_NOTIONAL","notional":"100"}]}]}
        """;
}
