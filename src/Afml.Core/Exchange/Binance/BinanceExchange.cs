using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace Afml.Core.Exchange.Binance;

/// <summary>
/// Binance USDT-M Futures (production, testnet, or any server speaking the protocol, such as the loopback fake)
/// behind <see cref="IExchange"/>. One-way mode: positions are the signed <c>positionAmt</c>, closes are
/// reduce-only MARKET orders. Quantities are floored to the symbol's step and sent as plain decimal text; orders
/// are idempotent by client order id (<see cref="BinanceOrderPlacer"/>).
/// </summary>
public sealed class BinanceExchange : IExchange
{
    private readonly ConcurrentDictionary<string, SymbolRules> _rules = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _leverage = new(StringComparer.OrdinalIgnoreCase);
    private readonly BinanceOrderPlacer _placer;

    /// <param name="environment">Production, Testnet, or <see cref="BinanceEnvironment.Local"/>.</param>
    /// <param name="credentials">From <see cref="BinanceCredentials.FromEnvironment"/> or given directly.</param>
    /// <param name="handler">The HTTP stack; tests pass a stub. Disposed with the exchange.</param>
    /// <param name="rateGate">Shared with the session's market feed (Binance's limits are per IP).</param>
    public BinanceExchange(BinanceEnvironment environment, BinanceCredentials credentials, TimeProvider time,
        BinanceOptions? options = null, HttpMessageHandler? handler = null, BinanceRateGate? rateGate = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        Rest = new BinanceRestClient(environment, options ?? new BinanceOptions(), time, credentials, handler, rateGate: rateGate);
        _placer = new BinanceOrderPlacer(Rest, time);
    }

    public string Name => Rest.Environment.Name;
    public bool IsLive => Rest.Environment.IsLive;

    /// <summary>The REST client (clock offset, rate-limit state) for diagnostics.</summary>
    public BinanceRestClient Rest { get; }

    /// <summary>Orders whose outcome is still unknown.</summary>
    public IReadOnlyCollection<string> UncertainOrders => _placer.Uncertain;

    public async Task<ExchangeResult<SymbolRules>> GetSymbolRulesAsync(string symbol, CancellationToken ct)
    {
        if (_rules.TryGetValue(symbol, out var cached)) return ExchangeResult<SymbolRules>.Ok(cached);
        var r = await Rest.SendAsync(HttpMethod.Get, "/fapi/v1/exchangeInfo", new BinanceQuery(), BinanceSecurity.None, 1, ct).ConfigureAwait(false);
        if (!r.Success) return ExchangeResult<SymbolRules>.Fail(r.Error!);
        return Read(r.Data!, "exchangeInfo", body =>
        {
            var rules = SymbolRulesReader.Read(body, symbol, out var limits);
            Rest.RateGate.SetLimits(limits.WeightPerMinute, limits.OrdersPerMinute);
            if (rules is null) return ExchangeResult<SymbolRules>.Fail(ExchangeErrorKind.Rejected, $"Symbol {symbol} is not listed in exchangeInfo.", -1121);
            _rules[symbol] = rules;
            return ExchangeResult<SymbolRules>.Ok(rules);
        });
    }

    public async Task<ExchangeResult<AccountSnapshot>> GetAccountAsync(CancellationToken ct)
    {
        var r = await Rest.SendAsync(HttpMethod.Get, Rest.Options.AccountPath, new BinanceQuery(), BinanceSecurity.Signed, 5, ct).ConfigureAwait(false);
        if (!r.Success) return ExchangeResult<AccountSnapshot>.Fail(r.Error!);
        return Read(r.Data!, "account", body =>
        {
            using var doc = JsonDocument.Parse(body);
            var a = doc.RootElement;
            return ExchangeResult<AccountSnapshot>.Ok(new AccountSnapshot(
                (double)BinanceJson.Decimal(a, "totalWalletBalance"),
                (double)BinanceJson.Decimal(a, "totalMarginBalance"),
                (double)BinanceJson.Decimal(a, "totalUnrealizedProfit"),
                (double)BinanceJson.Decimal(a, "availableBalance")));
        });
    }

    public async Task<ExchangeResult<PositionSnapshot>> GetPositionAsync(string symbol, CancellationToken ct)
    {
        var r = await Rest.SendAsync(HttpMethod.Get, Rest.Options.PositionRiskPath, new BinanceQuery().Add("symbol", symbol), BinanceSecurity.Signed, 5, ct).ConfigureAwait(false);
        if (!r.Success) return ExchangeResult<PositionSnapshot>.Fail(r.Error!);
        return Read(r.Data!, "positionRisk", body =>
        {
            using var doc = JsonDocument.Parse(body);
            decimal quantity = 0, unrealised = 0, entry = 0;
            int? leverage = null;
            if (doc.RootElement.ValueKind == JsonValueKind.Array)
            {
                foreach (var p in doc.RootElement.EnumerateArray())
                {
                    if (!string.Equals(BinanceJson.TryString(p, "symbol"), symbol, StringComparison.OrdinalIgnoreCase)) continue;
                    var amount = BinanceJson.TryDecimal(p, "positionAmt") ?? 0;
                    // One-way mode has a single BOTH entry; hedge mode reports SHORT amounts as negative already.
                    quantity += amount;
                    unrealised += BinanceJson.TryDecimal(p, "unRealizedProfit") ?? BinanceJson.TryDecimal(p, "unrealizedProfit") ?? 0;
                    if (amount != 0) entry = BinanceJson.TryDecimal(p, "entryPrice") ?? entry;
                    leverage ??= (int?)BinanceJson.TryLong(p, "leverage");
                }
            }
            return ExchangeResult<PositionSnapshot>.Ok(new PositionSnapshot(symbol, (double)quantity, quantity == 0 ? 0 : (double)entry, (double)unrealised,
                leverage ?? _leverage.GetValueOrDefault(symbol, 0)));
        });
    }

    public async Task<ExchangeResult<bool>> SetLeverageAsync(string symbol, int leverage, CancellationToken ct)
    {
        if (leverage is < 1 or > 125) return ExchangeResult<bool>.Fail(ExchangeErrorKind.Rejected, $"leverage {leverage} is outside 1..125", -4028);
        var r = await Rest.SendAsync(HttpMethod.Post, "/fapi/v1/leverage", new BinanceQuery().Add("symbol", symbol).Add("leverage", leverage), BinanceSecurity.Signed, 1, ct).ConfigureAwait(false);
        if (!r.Success) return ExchangeResult<bool>.Fail(r.Error!);
        _leverage[symbol] = leverage;
        return ExchangeResult<bool>.Ok(true);
    }

    public async Task<ExchangeResult<OrderFill>> PlaceMarketOrderAsync(MarketOrderRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!ClientOrderIds.IsValid(request.ClientOrderId))
            return ExchangeResult<OrderFill>.Fail(ExchangeErrorKind.Rejected, $"client order id '{request.ClientOrderId}' does not match {ClientOrderIds.Pattern}; not sent", -4015);
        var rules = await GetSymbolRulesAsync(request.Symbol, ct).ConfigureAwait(false);
        if (!rules.Success) return ExchangeResult<OrderFill>.Fail(rules.Error!);
        var q = QuantityRounder.Round(request.Quantity, rules.Data!, request.ReferencePrice, request.ReduceOnly);
        if (q.IsSkipped)
            return ExchangeResult<OrderFill>.Fail(ExchangeErrorKind.Rejected, $"order {request.ClientOrderId} skipped ({q.Skip}): {q.Detail}");
        return await _placer.PlaceAsync(request.Symbol, request.Side, q.Text, request.ReduceOnly, request.ClientOrderId, ct).ConfigureAwait(false);
    }

    public async Task<ExchangeResult<int>> CancelAllOrdersAsync(string symbol, CancellationToken ct)
    {
        // The cancel answer carries no count; the open orders just before it give one (weight 1 with a symbol).
        var open = await Rest.SendAsync(HttpMethod.Get, "/fapi/v1/openOrders", new BinanceQuery().Add("symbol", symbol), BinanceSecurity.Signed, 1, ct).ConfigureAwait(false);
        var count = 0;
        if (open.Success)
        {
            try
            {
                using var doc = JsonDocument.Parse(open.Data!.Body);
                if (doc.RootElement.ValueKind == JsonValueKind.Array) count = doc.RootElement.GetArrayLength();
            }
            catch (JsonException) { }
        }
        var r = await Rest.SendAsync(HttpMethod.Delete, "/fapi/v1/allOpenOrders", new BinanceQuery().Add("symbol", symbol), BinanceSecurity.Signed, 1, ct).ConfigureAwait(false);
        return r.Success ? ExchangeResult<int>.Ok(count) : ExchangeResult<int>.Fail(r.Error!);
    }

    public ValueTask DisposeAsync()
    {
        Rest.Dispose();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"BinanceExchange {{ {Name} at {Rest.Environment.Rest} }}");

    private static ExchangeResult<T> Read<T>(BinanceResponse response, string what, Func<string, ExchangeResult<T>> parse)
    {
        try
        {
            return parse(response.Body);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or OverflowException)
        {
            return ExchangeResult<T>.Fail(ExchangeErrorKind.Unknown, $"{what}: unreadable answer ({ex.Message})");
        }
    }
}
