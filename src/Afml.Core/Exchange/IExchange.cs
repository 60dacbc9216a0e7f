namespace Afml.Core.Exchange;

/// <summary>
/// The venue the session trades on: the simulated paper account (replay and paper) or Binance USDT-M Futures.
/// Expected venue failures come back as <see cref="ExchangeResult{T}"/> values; only programming errors and
/// cancellation throw.
/// </summary>
public interface IExchange : IAsyncDisposable
{
    /// <summary>Short name for logs and the session summary (e.g. "simulated", "binance-testnet").</summary>
    string Name { get; }

    /// <summary>True only when orders move real money.</summary>
    bool IsLive { get; }

    Task<ExchangeResult<SymbolRules>> GetSymbolRulesAsync(string symbol, CancellationToken ct);

    Task<ExchangeResult<AccountSnapshot>> GetAccountAsync(CancellationToken ct);

    Task<ExchangeResult<PositionSnapshot>> GetPositionAsync(string symbol, CancellationToken ct);

    Task<ExchangeResult<bool>> SetLeverageAsync(string symbol, int leverage, CancellationToken ct);

    /// <summary>Places a MARKET order. The request's <see cref="MarketOrderRequest.ClientOrderId"/> is
    /// deterministic, so that a retry of the same request can never open a second position.</summary>
    Task<ExchangeResult<OrderFill>> PlaceMarketOrderAsync(MarketOrderRequest request, CancellationToken ct);

    /// <summary>Cancels every open order of the symbol; returns how many were cancelled when known.</summary>
    Task<ExchangeResult<int>> CancelAllOrdersAsync(string symbol, CancellationToken ct);
}
