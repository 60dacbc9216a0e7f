namespace Afml.Core.Exchange;

/// <summary>A close-all STOP_MARKET resting on the venue (Binance: an algo order, <c>/fapi/v1/algoOrder</c>).</summary>
/// <param name="ClientAlgoId">Ours: deterministic, so a retry is recognisable.</param>
/// <param name="Side">SELL closes a long, BUY a short.</param>
/// <param name="Status">The venue's algo status: NEW (resting), CANCELED, TRIGGERING, TRIGGERED, FINISHED, REJECTED, EXPIRED.</param>
/// <param name="TriggeredAt">When it triggered (null while resting or when it never did).</param>
public sealed record ProtectiveStopOrder(string ClientAlgoId, long? AlgoId, OrderSide Side, decimal TriggerPrice, string Status,
    DateTimeOffset? TriggeredAt = null, decimal ExecutedQuantity = 0m, decimal AveragePrice = 0m)
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
}
