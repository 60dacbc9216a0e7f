using System.Net;
using System.Security.Cryptography;
using System.Text;
using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;

namespace Afml.Tests.Exchange.Binance;

public class BinanceRestClientTests
{
    private const string Secret = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";
    private static readonly BinanceEnvironment Env = BinanceEnvironment.Local(new Uri("http://127.0.0.1:9"));

    private static (BinanceRestClient, StubBinance, ManualClock) Make(long serverOffset = 0, BinanceOptions? options = null)
    {
        var clock = new ManualClock();
        var stub = new StubBinance(clock, serverOffset);
        return (new BinanceRestClient(Env, options ?? new BinanceOptions(), clock, new BinanceCredentials("my-api-key", Secret), stub), stub, clock);
    }

    [Fact]
    public async Task Signed_request_puts_params_in_order_with_signature_last_over_the_exact_bytes_sent()
    {
        var (rest, stub, _) = Make(serverOffset: 2500);
        stub.On("POST /fapi/v1/order", _ => StubBinance.Json(StubBinance.Order("afml-x-1")));
        var q = new BinanceQuery().Add("symbol", "BTCUSDT").Add("side", "BUY").Add("type", "MARKET").Add("quantity", "0.012")
            .Add("newClientOrderId", "afml-x-1");
        var r = await rest.SendAsync(HttpMethod.Post, "/fapi/v1/order", q, BinanceSecurity.Signed, 0, CancellationToken.None, isOrder: true);
        Assert.True(r.Success, r.Error?.ToString());

        Assert.Equal("GET /fapi/v1/time", $"{stub.Requests[0].Method} {stub.Requests[0].Path}"); // synced before the first signed call
        var sent = stub.Requests[1];
        Assert.Equal("my-api-key", sent.ApiKey);
        var names = sent.Query.Split('&').Select(p => p.Split('=')[0]).ToArray();
        Assert.Equal(["symbol", "side", "type", "quantity", "newClientOrderId", "recvWindow", "timestamp", "signature"], names);
        Assert.Equal("5000", sent.Param("recvWindow"));
        var signedPart = sent.Query[..sent.Query.LastIndexOf("&signature=", StringComparison.Ordinal)];
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(signedPart)));
        Assert.Equal(expected, sent.Param("signature"));
        // timestamp = local + server offset − safety margin
        Assert.Equal(stub.ServerNow - 100, long.Parse(sent.Param("timestamp")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Null(stub.Requests[0].ApiKey); // public endpoints carry no key
    }

    [Fact]
    public async Task Invalid_timestamp_resyncs_the_clock_and_retries_exactly_once()
    {
        var (rest, stub, _) = Make(serverOffset: 0);
        var calls = 0;
        stub.On("POST /fapi/v1/leverage", _ =>
        {
            if (calls++ == 0) { stub.ServerOffsetMs = 30_000; return StubBinance.Error(-1021, "Timestamp for this request is outside of the recvWindow."); }
            return StubBinance.Json("{\"leverage\":5,\"symbol\":\"BTCUSDT\"}");
        });
        var r = await rest.SendAsync(HttpMethod.Post, "/fapi/v1/leverage", new BinanceQuery().Add("symbol", "BTCUSDT").Add("leverage", 5), BinanceSecurity.Signed, 1, CancellationToken.None);
        Assert.True(r.Success, r.Error?.ToString());
        Assert.Equal(["GET /fapi/v1/time", "POST /fapi/v1/leverage", "GET /fapi/v1/time", "POST /fapi/v1/leverage"], stub.Requests.Select(x => $"{x.Method} {x.Path}"));
        Assert.Equal(30_000, rest.Clock.OffsetMs);
        var second = long.Parse(stub.Requests[3].Param("timestamp")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(stub.ServerNow - 100, second);
    }

    [Fact]
    public async Task Invalid_timestamp_twice_is_returned_after_one_retry()
    {
        var (rest, stub, _) = Make();
        stub.On("GET /fapi/v2/account", _ => StubBinance.Error(-1021, "Timestamp for this request was 1000ms ahead of the server's time."));
        var r = await rest.SendAsync(HttpMethod.Get, "/fapi/v2/account", new BinanceQuery(), BinanceSecurity.Signed, 5, CancellationToken.None);
        Assert.Equal(ExchangeErrorKind.InvalidTimestamp, r.Error!.Kind);
        Assert.Equal(2, stub.Count("GET /fapi/v2/account"));
    }

    [Theory]
    [InlineData(400, -2019, "Margin is insufficient.", ExchangeErrorKind.InsufficientBalance)]
    [InlineData(400, -1111, "Precision is over the maximum defined for this asset.", ExchangeErrorKind.Rejected)]
    [InlineData(400, -2022, "ReduceOnly Order is rejected.", ExchangeErrorKind.Rejected)]
    [InlineData(400, -4164, "Order's notional must be no smaller than 100", ExchangeErrorKind.Rejected)]
    [InlineData(400, -2013, "Order does not exist.", ExchangeErrorKind.UnknownOrder)]
    [InlineData(400, -1022, "Signature for this request is not valid.", ExchangeErrorKind.Unauthorized)]
    [InlineData(400, -2014, "API-key format invalid.", ExchangeErrorKind.Unauthorized)]
    [InlineData(401, -2015, "Invalid API-key, IP, or permissions for action.", ExchangeErrorKind.Unauthorized)]
    [InlineData(400, -1021, "Timestamp for this request is outside of the recvWindow.", ExchangeErrorKind.InvalidTimestamp)]
    [InlineData(400, -1006, "An unexpected response was received from the message bus. Execution status unknown.", ExchangeErrorKind.Unknown)]
    [InlineData(400, -1007, "Timeout waiting for response from backend server.", ExchangeErrorKind.Unknown)]
    [InlineData(408, null, "Request Timeout", ExchangeErrorKind.Unknown)]
    [InlineData(500, null, "Request occur unknown error.", ExchangeErrorKind.Unknown)]
    [InlineData(503, null, "Unknown error, please check your request or try again later.", ExchangeErrorKind.Unknown)]
    [InlineData(502, null, "Bad Gateway", ExchangeErrorKind.Unknown)]
    [InlineData(503, null, "Service Unavailable.", ExchangeErrorKind.Network)]
    [InlineData(503, -1008, "Request throttled by system-level protection.", ExchangeErrorKind.RateLimited)]
    [InlineData(429, -1003, "Too many requests.", ExchangeErrorKind.RateLimited)]
    [InlineData(418, -1003, "Way too many requests; IP banned.", ExchangeErrorKind.Banned)]
    public void Maps_status_and_code_to_the_error_kind(int status, int? code, string msg, ExchangeErrorKind kind)
    {
        Assert.Equal(kind, BinanceErrorMap.Map(status, code, msg).Kind);
    }

    [Fact]
    public async Task Error_bodies_are_mapped_end_to_end_and_never_carry_the_secret()
    {
        var (rest, stub, _) = Make();
        stub.On("GET /fapi/v2/account", _ => StubBinance.Error(-2015, "Invalid API-key, IP, or permissions for action.", HttpStatusCode.Unauthorized));
        var r = await rest.SendAsync(HttpMethod.Get, "/fapi/v2/account", new BinanceQuery(), BinanceSecurity.Signed, 5, CancellationToken.None);
        Assert.Equal(ExchangeErrorKind.Unauthorized, r.Error!.Kind);
        Assert.Equal(-2015, r.Error.Code);
        Assert.DoesNotContain(Secret, r.Error.ToString());
        Assert.DoesNotContain(Secret, Assert.Throws<ExchangeException>(() => r.Unwrap()).Message);
    }

    [Fact]
    public async Task A_request_without_an_answer_times_out_as_an_unknown_outcome()
    {
        var (rest, stub, clock) = Make();
        stub.OnAsync("GET /fapi/v1/exchangeInfo", async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return StubBinance.Json("{}"); });
        var r = await clock.Drive(() => rest.SendAsync(HttpMethod.Get, "/fapi/v1/exchangeInfo", new BinanceQuery(), BinanceSecurity.None, 1, CancellationToken.None));
        Assert.Equal(ExchangeErrorKind.Unknown, r.Error!.Kind);
        Assert.Contains("no answer within 10 s", r.Error.Message);
    }

    [Fact]
    public async Task A_418_stops_all_traffic_until_the_ban_is_over()
    {
        var (rest, stub, clock) = Make();
        stub.OnSequence("GET /fapi/v1/exchangeInfo",
            _ => StubBinance.Json("{\"code\":-1003,\"msg\":\"banned\"}", (HttpStatusCode)418, m => m.Headers.Add("Retry-After", "120")),
            _ => StubBinance.Json("{}"));
        var first = await rest.SendAsync(HttpMethod.Get, "/fapi/v1/exchangeInfo", new BinanceQuery(), BinanceSecurity.None, 1, CancellationToken.None);
        Assert.Equal(ExchangeErrorKind.Banned, first.Error!.Kind);
        var during = await rest.SendAsync(HttpMethod.Get, "/fapi/v1/exchangeInfo", new BinanceQuery(), BinanceSecurity.None, 1, CancellationToken.None);
        Assert.Equal(ExchangeErrorKind.Banned, during.Error!.Kind);
        Assert.Equal(1, stub.Count("GET /fapi/v1/exchangeInfo")); // nothing sent while banned
        clock.Advance(TimeSpan.FromSeconds(121));
        var after = await rest.SendAsync(HttpMethod.Get, "/fapi/v1/exchangeInfo", new BinanceQuery(), BinanceSecurity.None, 1, CancellationToken.None);
        Assert.True(after.Success);
    }

    [Fact]
    public async Task A_429_holds_the_next_request_for_Retry_After()
    {
        var (rest, stub, clock) = Make();
        stub.OnSequence("GET /fapi/v1/exchangeInfo",
            _ => StubBinance.Json("{\"code\":-1003,\"msg\":\"Too many requests\"}", HttpStatusCode.TooManyRequests, m => m.Headers.Add("Retry-After", "7")),
            _ => StubBinance.Json("{}"));
        var first = await rest.SendAsync(HttpMethod.Get, "/fapi/v1/exchangeInfo", new BinanceQuery(), BinanceSecurity.None, 1, CancellationToken.None);
        Assert.Equal(ExchangeErrorKind.RateLimited, first.Error!.Kind);
        var t0 = clock.GetUtcNow();
        var second = await clock.Drive(() => rest.SendAsync(HttpMethod.Get, "/fapi/v1/exchangeInfo", new BinanceQuery(), BinanceSecurity.None, 1, CancellationToken.None));
        Assert.True(second.Success);
        Assert.True(stub.Requests[^1].At - t0 >= TimeSpan.FromSeconds(7));
    }

    [Fact]
    public async Task Used_weight_near_the_limit_waits_for_the_next_minute()
    {
        var (rest, stub, clock) = Make();
        stub.On("GET /fapi/v1/exchangeInfo", _ => StubBinance.Json("{}", edit: m => m.Headers.Add("X-MBX-USED-WEIGHT-1M", "2000")));
        await rest.SendAsync(HttpMethod.Get, "/fapi/v1/exchangeInfo", new BinanceQuery(), BinanceSecurity.None, 1, CancellationToken.None);
        Assert.Equal(2000, rest.RateGate.UsedWeight);
        var minute = clock.GetUtcNow().ToUnixTimeMilliseconds() / 60_000;
        await clock.Drive(() => rest.SendAsync(HttpMethod.Get, "/fapi/v1/exchangeInfo", new BinanceQuery(), BinanceSecurity.None, 1, CancellationToken.None));
        Assert.Equal(minute + 1, stub.Requests[^1].At.ToUnixTimeMilliseconds() / 60_000);
    }
}
