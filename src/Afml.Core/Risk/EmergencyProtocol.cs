using Afml.Core.Exchange;

namespace Afml.Core.Risk;

/// <summary>What the emergency protocol did.</summary>
public sealed record EmergencyOutcome(
    string Reason,
    int PositionsClosed,
    int OrdersCancelled,
    bool Complete,
    IReadOnlyList<string> Problems,
    OrderFill? CloseFill = null);

/// <summary>
/// The emergency protocol of the seed: cancel pending orders, close every open position of the symbol with a
/// reduce-only MARKET order, each step retried by the seed's rule, and report what could not be done. It does not
/// decide to stop: the caller latches HALTED and ends the session. It never raises exposure.
/// </summary>
public sealed class EmergencyProtocol(IExchange exchange, OperationRetry retry)
{
    /// <summary>The client order id of the protocol's closing order.</summary>
    public static string CloseOrderId(string clientOrderIdPrefix) => clientOrderIdPrefix + "-em";

    public async Task<EmergencyOutcome> RunAsync(string symbol, string reason, string clientOrderIdPrefix, double referencePrice, CancellationToken ct)
    {
        var problems = new List<string>();
        var cancelled = 0;
        var cancel = await retry.RunAsync(c => exchange.CancelAllOrdersAsync(symbol, c), ct).ConfigureAwait(false);
        if (cancel.Success) cancelled = cancel.Data;
        else problems.Add($"cancelar órdenes: {cancel.Error}");

        var closed = 0;
        OrderFill? closeFill = null;
        var position = await retry.RunAsync(c => exchange.GetPositionAsync(symbol, c), ct).ConfigureAwait(false);
        if (!position.Success)
        {
            problems.Add($"leer posición: {position.Error}");
        }
        else if (position.Data!.Quantity != 0)
        {
            var p = position.Data;
            var request = new MarketOrderRequest(symbol, p.Quantity > 0 ? OrderSide.Sell : OrderSide.Buy, Math.Abs(p.Quantity),
                ReduceOnly: true, ClientOrderId: CloseOrderId(clientOrderIdPrefix), ReferencePrice: referencePrice);
            var fill = await retry.RunAsync(c => exchange.PlaceMarketOrderAsync(request, c), ct).ConfigureAwait(false);
            if (fill.Success && fill.Data!.ExecutedQuantity > 0) (closed, closeFill) = (1, fill.Data);
            else problems.Add($"cerrar posición: {(fill.Success ? "no ejecutada" : fill.Error!.ToString())}");
        }
        return new EmergencyOutcome(reason, closed, cancelled, problems.Count == 0, problems, closeFill);
    }
}
