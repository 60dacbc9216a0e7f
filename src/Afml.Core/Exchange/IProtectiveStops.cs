namespace Afml.Core.Exchange;

/// <summary>A close-all STOP_MARKET resting on the venue (Binance: an algo order, <c>/fapi/v1/algoOrder</c>).</summary>
/// <param name="ClientAlgoId">Ours: deterministic, so a retry is recognisable.</param>
/// <param name="Side">SELL closes a long, BUY a short.</param>
/// <param name="Status">The venue's algo status: NEW (resting), CANCELED, TRIGGERING, TRIGGERED, FINISHED, REJECTED, EXPIRED.</param>
/// <param name="TriggeredAt">When it triggered (null while resting or when it never did).</param>
/// <param name="OrderType">STOP_MARKET, TAKE_PROFIT_MARKET…; <param name="ClosePosition">a close-all order (Binance allows
/// one per direction: a second one is refused with -4130).</param></param>
public sealed record ProtectiveStopOrder(string ClientAlgoId, long? AlgoId, OrderSide Side, decimal TriggerPrice, string Status,
    DateTimeOffset? TriggeredAt = null, decimal ExecutedQuantity = 0m, decimal AveragePrice = 0m, string OrderType = "STOP_MARKET", bool ClosePosition = true)
{
    /// <summary>Still resting, waiting for its trigger.</summary>
    public bool IsResting => Status == "NEW";

    /// <summary>It triggered (or is triggering): the position it guarded was closed, or is being closed, by the venue.</summary>
    public bool HasTriggered => Status is "TRIGGERING" or "TRIGGERED" or "FINISHED";
}

/// <summary>
/// The venue side of the exchange-resident guard: one reduce-only close-all STOP_MARKET on the mark price per symbol.
/// Idempotent like every order: the caller's client algo id is the key; an answer that is lost is looked up by it,
/// never sent twice.
/// </summary>
public interface IProtectiveStops
{
    /// <summary>Places (or, when that id already exists, finds) the stop. <paramref name="triggerPrice"/> is already
    /// formatted to the symbol's tick.</summary>
    Task<ExchangeResult<ProtectiveStopOrder>> PlaceStopAsync(string symbol, OrderSide side, string triggerPrice, string clientAlgoId, CancellationToken ct);

    /// <summary>The stop by its client algo id; null data when the venue does not know it.</summary>
    Task<ExchangeResult<ProtectiveStopOrder?>> QueryStopAsync(string symbol, string clientAlgoId, CancellationToken ct);

    /// <summary>Cancels the stop. The data is the stop as it ended: CANCELED, or (when it was no longer resting) what it
    /// had become, e.g. FINISHED when it had triggered; null when the venue does not know it.</summary>
    Task<ExchangeResult<ProtectiveStopOrder?>> CancelStopAsync(string symbol, string clientAlgoId, CancellationToken ct);

    /// <summary>Every conditional order resting on the symbol, ours or not (Binance: <c>GET /fapi/v1/openAlgoOrders</c>).</summary>
    Task<ExchangeResult<IReadOnlyList<ProtectiveStopOrder>>> OpenStopsAsync(string symbol, CancellationToken ct);

    /// <summary>Cancels every conditional order resting on the symbol (Binance: <c>DELETE /fapi/v1/algoOpenOrders</c>;
    /// <c>allOpenOrders</c> does not reach them). The data is how many were resting just before.</summary>
    Task<ExchangeResult<int>> CancelAllStopsAsync(string symbol, CancellationToken ct);

    /// <summary>True while the venue reports a stop's trigger as it happens (Binance: the user-data stream is
    /// connected); false means a trigger is only learnt by asking (<see cref="QueryStopAsync"/>).</summary>
    bool TriggersReported { get; }
}
