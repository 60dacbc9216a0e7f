namespace Afml.Core.Exchange;

/// <summary>
/// The in-process paper account behind replay and paper sessions. MARKET orders fill completely at the
/// request's reference price (the candle close); commission and slippage are charged as the config's rates on
/// the notional. It keeps a one-way position per symbol, honours reduce-only, and remembers client order ids so a
/// resent order is answered with the original fill instead of filling twice (the last <see cref="RecentOrders.DefaultCapacity"/>
/// orders: memory stays flat in the run's length) — the same contract the Binance
/// connector keeps.
/// </summary>
public sealed class SimulatedExchange : IExchange, IPriceDriven
{
    private readonly double _commissionRate;
    private readonly double _slippageRate;
    private readonly Dictionary<string, Holding> _positions = new(StringComparer.Ordinal);
    private readonly RecentOrders _orders = new();
    private readonly Dictionary<string, int> _leverage = new(StringComparer.Ordinal);
    private long _nextOrderId = 1;

    public SimulatedExchange(double initialBalance, double commissionRate, double slippageRate, string name = "simulated")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialBalance);
        WalletBalance = initialBalance;
        _commissionRate = commissionRate;
        _slippageRate = slippageRate;
        Name = name;
    }

    public string Name { get; }
    public bool IsLive => false;

    /// <summary>Cash after realised PnL and costs.</summary>
    public double WalletBalance { get; private set; }

    /// <summary>Last price seen per symbol (marks open positions).</summary>
    public double MarkPrice(string symbol) => _positions.TryGetValue(symbol, out var h) ? h.Mark : 0;

    /// <summary>Marks positions at a new price (the session calls it with each candle close).</summary>
    public void OnPrice(string symbol, double price)
    {
        var h = Get(symbol);
        h.Mark = price;
    }

    public Task<ExchangeResult<SymbolRules>> GetSymbolRulesAsync(string symbol, CancellationToken ct) =>
        Task.FromResult(ExchangeResult<SymbolRules>.Ok(SymbolRules.Unrestricted(symbol)));

    public Task<ExchangeResult<AccountSnapshot>> GetAccountAsync(CancellationToken ct)
    {
        double unrealised = 0, margin = 0; // loops, not LINQ: a replay asks at every step
        foreach (var h in _positions.Values) unrealised += h.Unrealised;
        foreach (var (symbol, h) in _positions) margin += Math.Abs(h.Quantity) * h.Entry / Math.Max(1, _leverage.GetValueOrDefault(symbol, 1));
        var equity = WalletBalance + unrealised;
        return Task.FromResult(ExchangeResult<AccountSnapshot>.Ok(new AccountSnapshot(WalletBalance, equity, unrealised, equity - margin)));
    }

    public Task<ExchangeResult<PositionSnapshot>> GetPositionAsync(string symbol, CancellationToken ct)
    {
        var h = Get(symbol);
        return Task.FromResult(ExchangeResult<PositionSnapshot>.Ok(
            new PositionSnapshot(symbol, h.Quantity, h.Quantity == 0 ? 0 : h.Entry, h.Unrealised, _leverage.GetValueOrDefault(symbol, 1))));
    }

    public Task<ExchangeResult<bool>> SetLeverageAsync(string symbol, int leverage, CancellationToken ct)
    {
        if (leverage is < 1 or > 125) return Task.FromResult(ExchangeResult<bool>.Fail(ExchangeErrorKind.Rejected, $"leverage {leverage} out of range", -4028));
        _leverage[symbol] = leverage;
        return Task.FromResult(ExchangeResult<bool>.Ok(true));
    }

    public Task<ExchangeResult<OrderFill>> PlaceMarketOrderAsync(MarketOrderRequest request, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (_orders.TryGetValue(request.ClientOrderId, out var known))
            return Task.FromResult(ExchangeResult<OrderFill>.Ok(known)); // idempotent: the same id never fills twice
        if (!(request.Quantity > 0) || !double.IsFinite(request.Quantity))
            return Task.FromResult(ExchangeResult<OrderFill>.Fail(ExchangeErrorKind.Rejected, $"quantity {request.Quantity} must be positive", -4003));
        if (!(request.ReferencePrice > 0))
            return Task.FromResult(ExchangeResult<OrderFill>.Fail(ExchangeErrorKind.Rejected, "no price to fill at", -1013));

        var h = Get(request.Symbol);
        var signed = request.Side == OrderSide.Buy ? request.Quantity : -request.Quantity;
        if (request.ReduceOnly && (h.Quantity == 0 || Math.Sign(signed) == Math.Sign(h.Quantity) || Math.Abs(signed) > Math.Abs(h.Quantity) * (1 + 1e-12)))
            return Task.FromResult(ExchangeResult<OrderFill>.Fail(ExchangeErrorKind.Rejected, "ReduceOnly Order is rejected.", -2022));

        var price = request.ReferencePrice;
        h.Mark = price;
        var notional = price * request.Quantity;
        var cost = notional * (_commissionRate + _slippageRate);
        if (h.Quantity != 0 && Math.Sign(signed) != Math.Sign(h.Quantity))
        {
            var closing = Math.Min(Math.Abs(signed), Math.Abs(h.Quantity));
            WalletBalance += Math.Sign(h.Quantity) * (price - h.Entry) * closing;
            var remaining = h.Quantity + signed;
            if (Math.Sign(remaining) != Math.Sign(h.Quantity) && remaining != 0) h.Entry = price; // flipped
            h.Quantity = Math.Abs(remaining) < 1e-15 ? 0 : remaining;
        }
        else
        {
            var total = Math.Abs(h.Quantity) + request.Quantity;
            h.Entry = (h.Entry * Math.Abs(h.Quantity) + price * request.Quantity) / total;
            h.Quantity += signed;
        }
        WalletBalance -= cost;
        var fill = new OrderFill(request.ClientOrderId, _nextOrderId++, request.Side, OrderStatus.Filled, request.Quantity, price, notional * _commissionRate);
        _orders[request.ClientOrderId] = fill;
        return Task.FromResult(ExchangeResult<OrderFill>.Ok(fill));
    }

    public Task<ExchangeResult<int>> CancelAllOrdersAsync(string symbol, CancellationToken ct) =>
        Task.FromResult(ExchangeResult<int>.Ok(0)); // MARKET orders fill at once: nothing is ever left open

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Holding Get(string symbol)
    {
        if (!_positions.TryGetValue(symbol, out var h)) _positions[symbol] = h = new Holding();
        return h;
    }

    private sealed class Holding
    {
        public double Quantity;
        public double Entry;
        public double Mark;
        public double Unrealised => Quantity == 0 ? 0 : Quantity * (Mark - Entry);
    }
}
