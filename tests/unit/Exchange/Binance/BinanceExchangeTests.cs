using System.Net;
using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;
using Afml.Core.Risk;

namespace Afml.Tests.Exchange.Binance;

public class BinanceExchangeTests
{
    private const string Cid = "afml-20261202_041418-7";

    private static (BinanceExchange, StubBinance, ManualClock) Make(BinanceOptions? options = null)
    {
        var clock = new ManualClock();
        var stub = new StubBinance(clock);
        stub.On("GET /fapi/v1/exchangeInfo", _ => StubBinance.Json(StubBinance.ExchangeInfo));
        stub.On("GET /fapi/v1/userTrades", _ => StubBinance.Json("[{\"commission\":\"0.14801640\",\"commissionAsset\":\"USDT\",\"orderId\":4000000123}]"));
        var ex = new BinanceExchange(BinanceEnvironment.Local(new Uri("http://127.0.0.1:9")), new BinanceCredentials("k", "s"), clock, options, stub);
        return (ex, stub, clock);
    }

    private static MarketOrderRequest Buy(double qty = 0.0123456, bool reduceOnly = false) =>
        new("BTCUSDT", OrderSide.Buy, qty, reduceOnly, Cid, 37000);

    [Fact]
    public async Task Reads_symbol_rules_from_exchange_info()
    {
        var (ex, _, _) = Make();
        var rules = (await ex.GetSymbolRulesAsync("BTCUSDT", CancellationToken.None)).Unwrap();
        Assert.Equal(new SymbolRules("BTCUSDT", 0.10m, 0.001m, 0.001m, 1000m, 100m, 0.001m, 0.001m, 120m), rules);
        Assert.False((await ex.GetSymbolRulesAsync("NOPE", CancellationToken.None)).Success);
    }

    [Fact]
    public async Task Market_order_is_floored_to_the_step_and_filled_in_one_request()
    {
        var (ex, stub, _) = Make();
        stub.On("POST /fapi/v1/order", r => StubBinance.Json(StubBinance.Order(r.Param("newClientOrderId")!)));
        var fill = (await ex.PlaceMarketOrderAsync(Buy(), CancellationToken.None)).Unwrap();
        Assert.Equal(new OrderFill(Cid, 4000000123, OrderSide.Buy, OrderStatus.Filled, 0.010, 37004.10, 0.1480164,
            Charges: [new CommissionCharge("USDT", 0.14801640m, 0.14801640m)]), fill);
        var post = stub.Requests.Single(r => r.Path == "/fapi/v1/order");
        Assert.Equal("0.012", post.Param("quantity"));
        Assert.Equal("MARKET", post.Param("type"));
        Assert.Equal("RESULT", post.Param("newOrderRespType"));
        Assert.Equal(Cid, post.Param("newClientOrderId"));
        Assert.Null(post.Param("reduceOnly"));
    }

    [Fact]
    public async Task Close_is_reduce_only_and_exempt_from_min_notional()
    {
        var (ex, stub, _) = Make();
        stub.On("POST /fapi/v1/order", r => StubBinance.Json(StubBinance.Order(r.Param("newClientOrderId")!, executed: "0.001", side: "SELL")));
        var fill = await ex.PlaceMarketOrderAsync(new MarketOrderRequest("BTCUSDT", OrderSide.Sell, 0.001, true, Cid, 37000), CancellationToken.None);
        Assert.True(fill.Success, fill.Error?.ToString());
        Assert.Equal("true", stub.Requests.Single(r => r.Path == "/fapi/v1/order").Param("reduceOnly"));
    }

    [Fact]
    public async Task Below_min_notional_is_skipped_locally_without_a_request()
    {
        var (ex, stub, _) = Make();
        var r = await ex.PlaceMarketOrderAsync(Buy(0.001), CancellationToken.None); // 0.001 × 37000 = 37 < 100
        Assert.Equal(ExchangeErrorKind.Rejected, r.Error!.Kind);
        Assert.Contains(nameof(QuantitySkipReason.BelowMinNotional), r.Error.Message);
        Assert.Equal(0, stub.Count("POST /fapi/v1/order"));
    }

    [Fact]
    public async Task Timeout_after_accept_is_looked_up_and_never_resent()
    {
        var (ex, stub, clock) = Make();
        stub.OnAsync("POST /fapi/v1/order", async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return StubBinance.Json("{}"); });
        stub.On("GET /fapi/v1/order", r => StubBinance.Json(StubBinance.Order(r.Param("origClientOrderId")!)));
        var fill = (await clock.Drive(() => ex.PlaceMarketOrderAsync(Buy(), CancellationToken.None))).Unwrap();
        Assert.Equal(0.010, fill.ExecutedQuantity);
        Assert.Equal(1, stub.Count("POST /fapi/v1/order"));
        Assert.Equal(1, stub.Count("GET /fapi/v1/order"));
        Assert.Equal(Cid, stub.Requests.Single(r => r.Method == "GET" && r.Path == "/fapi/v1/order").Param("origClientOrderId"));
        Assert.Empty(ex.UncertainOrders);
    }

    [Fact]
    public async Task Unknown_outcome_then_not_found_past_the_recv_window_resends_once()
    {
        var (ex, stub, clock) = Make();
        stub.OnSequence("POST /fapi/v1/order",
            _ => StubBinance.Error(0, "Unknown error, please check your request or try again later.", HttpStatusCode.ServiceUnavailable),
            r => StubBinance.Json(StubBinance.Order(r.Param("newClientOrderId")!)));
        stub.On("GET /fapi/v1/order", _ => StubBinance.Error(-2013, "Order does not exist."));
        var started = clock.GetUtcNow();
        var fill = await clock.Drive(() => ex.PlaceMarketOrderAsync(Buy(), CancellationToken.None));
        Assert.True(fill.Success, fill.Error?.ToString());
        Assert.Equal(2, stub.Count("POST /fapi/v1/order"));
        var resend = stub.Requests.Last(r => r.Method == "POST" && r.Path == "/fapi/v1/order");
        Assert.True(resend.At - started > TimeSpan.FromSeconds(5)); // not before timestamp + recvWindow (+ margin)
        Assert.Equal(Cid, resend.Param("newClientOrderId"));
    }

    [Theory]
    [InlineData(-2019, "Margin is insufficient.", ExchangeErrorKind.InsufficientBalance)]
    [InlineData(-4164, "Order's notional must be no smaller than 100", ExchangeErrorKind.Rejected)]
    [InlineData(-2022, "ReduceOnly Order is rejected.", ExchangeErrorKind.Rejected)]
    [InlineData(-1111, "Precision is over the maximum defined for this asset.", ExchangeErrorKind.Rejected)]
    public async Task Definite_rejection_is_neither_looked_up_nor_retried(int code, string msg, ExchangeErrorKind kind)
    {
        var (ex, stub, clock) = Make();
        stub.On("POST /fapi/v1/order", _ => StubBinance.Error(code, msg));
        var retry = new OperationRetry(clock);
        var r = await clock.Drive(() => retry.RunAsync(c => ex.PlaceMarketOrderAsync(Buy(), c), CancellationToken.None));
        Assert.Equal(kind, r.Error!.Kind);
        Assert.Equal(code, r.Error.Code);
        Assert.Equal(1, stub.Count("POST /fapi/v1/order"));
        Assert.Equal(0, stub.Count("GET /fapi/v1/order"));
    }

    [Fact]
    public async Task Session_retry_after_an_unresolved_outcome_looks_up_first_and_never_doubles()
    {
        var (ex, stub, clock) = Make(new BinanceOptions { ReconcileTimeout = TimeSpan.FromSeconds(3) });
        stub.OnAsync("POST /fapi/v1/order", async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return StubBinance.Json("{}"); });
        var lookups = 0;
        stub.On("GET /fapi/v1/order", r => ++lookups <= 7
            ? StubBinance.Error(0, "Bad Gateway", HttpStatusCode.BadGateway) // lookups fail for a while
            : StubBinance.Json(StubBinance.Order(r.Param("origClientOrderId")!)));
        var retry = new OperationRetry(clock);
        var attempts = new List<int>();
        var r = await clock.Drive(() => retry.RunAsync(c => ex.PlaceMarketOrderAsync(Buy(), c), CancellationToken.None, (a, _) => attempts.Add(a)));
        Assert.True(r.Success, r.Error?.ToString());
        Assert.Equal([2], attempts);
        Assert.Equal(1, stub.Count("POST /fapi/v1/order"));
        // a third call with the same id answers from memory
        Assert.Equal(r.Data, (await ex.PlaceMarketOrderAsync(Buy(), CancellationToken.None)).Data);
        Assert.Equal(1, stub.Count("POST /fapi/v1/order"));
    }

    [Fact]
    public async Task Duplicated_client_order_id_is_looked_up_not_resent()
    {
        var (ex, stub, clock) = Make();
        stub.On("POST /fapi/v1/order", _ => StubBinance.Error(-4116, "clientOrderId is duplicated"));
        stub.On("GET /fapi/v1/order", r => StubBinance.Json(StubBinance.Order(r.Param("origClientOrderId")!)));
        var r = await clock.Drive(() => ex.PlaceMarketOrderAsync(Buy(), CancellationToken.None));
        Assert.True(r.Success);
        Assert.Equal(1, stub.Count("POST /fapi/v1/order"));
    }

    [Fact]
    public async Task Accepted_but_new_is_polled_until_filled()
    {
        var (ex, stub, clock) = Make();
        stub.On("POST /fapi/v1/order", r => StubBinance.Json(StubBinance.Order(r.Param("newClientOrderId")!, status: "NEW", executed: "0")));
        stub.OnSequence("GET /fapi/v1/order",
            r => StubBinance.Json(StubBinance.Order(r.Param("origClientOrderId")!, status: "NEW", executed: "0")),
            r => StubBinance.Json(StubBinance.Order(r.Param("origClientOrderId")!, status: "FILLED")));
        var fill = (await clock.Drive(() => ex.PlaceMarketOrderAsync(Buy(), CancellationToken.None))).Unwrap();
        Assert.Equal(OrderStatus.Filled, fill.Status);
        Assert.Equal(2, stub.Count("GET /fapi/v1/order"));
    }

    [Fact]
    public async Task Expired_with_a_partial_fill_reports_what_was_executed()
    {
        var (ex, stub, _) = Make();
        stub.On("POST /fapi/v1/order", r => StubBinance.Json(StubBinance.Order(r.Param("newClientOrderId")!, status: "EXPIRED", executed: "0.004")));
        var fill = (await ex.PlaceMarketOrderAsync(Buy(), CancellationToken.None)).Unwrap();
        Assert.Equal(OrderStatus.Expired, fill.Status);
        Assert.Equal(0.004, fill.ExecutedQuantity);
    }

    [Fact]
    public async Task Expired_with_nothing_filled_is_a_known_outcome_not_a_failure()
    {
        var (ex, stub, _) = Make();
        stub.On("POST /fapi/v1/order", r => StubBinance.Json(StubBinance.Order(r.Param("newClientOrderId")!, status: "EXPIRED", executed: "0")));
        var fill = (await ex.PlaceMarketOrderAsync(Buy(), CancellationToken.None)).Unwrap();
        Assert.Equal((OrderStatus.Expired, 0.0), (fill.Status, fill.ExecutedQuantity));
        Assert.Equal(fill, (await ex.PlaceMarketOrderAsync(Buy(), CancellationToken.None)).Unwrap()); // a retry sends nothing
        Assert.Equal(1, stub.Count("POST /fapi/v1/order"));
    }

    [Fact]
    public async Task Invalid_client_order_id_is_not_sent()
    {
        var (ex, stub, _) = Make();
        var r = await ex.PlaceMarketOrderAsync(Buy() with { ClientOrderId = "has space" }, CancellationToken.None);
        Assert.Equal(-4015, r.Error!.Code);
        Assert.Empty(stub.Requests);
    }

    [Fact]
    public async Task Account_position_leverage_and_cancel_all()
    {
        var (ex, stub, _) = Make();
        stub.On("GET /fapi/v3/account", _ => StubBinance.Json(
            "{\"totalWalletBalance\":\"1000.5\",\"totalUnrealizedProfit\":\"-1.25\",\"totalMarginBalance\":\"999.25\",\"availableBalance\":\"900\",\"assets\":[],\"positions\":[]}"));
        // v3: no leverage field; the leverage is the one set (or symbolConfig's).
        stub.On("GET /fapi/v3/positionRisk", _ => StubBinance.Json(
            "[{\"symbol\":\"BTCUSDT\",\"positionSide\":\"BOTH\",\"positionAmt\":\"-0.010\",\"entryPrice\":\"37000.0\",\"unRealizedProfit\":\"-1.00000000\"}]"));
        stub.On("POST /fapi/v1/leverage", _ => StubBinance.Json("{\"leverage\":5,\"maxNotionalValue\":\"1000000\",\"symbol\":\"BTCUSDT\"}"));
        stub.On("GET /fapi/v1/openOrders", _ => StubBinance.Json("[{\"orderId\":1},{\"orderId\":2}]"));
        stub.On("DELETE /fapi/v1/allOpenOrders", _ => StubBinance.Json("{\"code\":200,\"msg\":\"The operation of cancel all open order is done.\"}"));

        Assert.Equal(new AccountSnapshot(1000.5, 999.25, -1.25, 900), (await ex.GetAccountAsync(CancellationToken.None)).Unwrap());
        Assert.True((await ex.SetLeverageAsync("BTCUSDT", 5, CancellationToken.None)).Unwrap());
        Assert.Equal(new PositionSnapshot("BTCUSDT", -0.010, 37000, -1, 5), (await ex.GetPositionAsync("BTCUSDT", CancellationToken.None)).Unwrap());
        Assert.Equal("5", stub.Requests.Single(r => r.Path == "/fapi/v1/leverage").Param("leverage"));
        Assert.Equal(2, (await ex.CancelAllOrdersAsync("BTCUSDT", CancellationToken.None)).Unwrap());
        Assert.Equal("BTCUSDT", stub.Requests.Single(r => r.Path == "/fapi/v1/allOpenOrders").Param("symbol"));
    }
}
