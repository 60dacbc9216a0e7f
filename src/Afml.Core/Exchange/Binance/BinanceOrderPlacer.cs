using System.Text.Json;

namespace Afml.Core.Exchange.Binance;

/// <summary>
/// Idempotent MARKET orders (API notes §7). Every order carries the caller's deterministic client order id. When
/// the outcome is unknown (timeout, reset, 5xx, -1000/-1006/-1007, 408) or the id is reported duplicated (-4116),
/// the order is looked up by that id: found → its fill is the answer; "does not exist" (-2013) counts only once
/// recvWindow + a margin have passed since the request was sent (after that Binance can no longer
/// accept it) and a second lookup says it again (a single one may be Binance lagging behind itself), and then the
/// order is resent once. A definite rejection is returned as it is. Ids whose outcome is
/// still unknown are remembered, so the session's next attempt (<see cref="Risk.OperationRetry"/>) starts by
/// looking the order up instead of sending it again: no retry can double a position.
/// A fill's commission comes from the user-data stream's ORDER_TRADE_UPDATEs (<paramref name="fills"/>, waited for
/// up to <see cref="BinanceOptions.StreamFillWait"/> while <paramref name="streamUp"/>), else from userTrades.
/// </summary>
public sealed class BinanceOrderPlacer(BinanceRestClient rest, TimeProvider time, Action<string>? log = null,
    BinanceFillLedger? fills = null, Func<bool>? streamUp = null, BinanceConversionPrices? prices = null)
{
    private readonly BinanceCommissions _commissions = new(rest, log, prices);
    private readonly Dictionary<string, DateTimeOffset> _uncertain = new(StringComparer.Ordinal);
    private readonly RecentOrders _done = new(); // bounded: a long run keeps only what a retry can ask for
    private readonly SemaphoreSlim _lock = new(1, 1);

    private enum Lookup { Found, NotFound, StillUnknown }

    /// <summary>Consecutive "does not exist" answers, past recvWindow + margin, that make an order absent.</summary>
    private const int ConfirmAbsent = 2;

    /// <summary>Fills whose commission came from the stream, and from GET userTrades (diagnostics and tests).</summary>
    public int StreamCommissions => _streamCommissions;
    public int RestCommissions => _restCommissions;
    private int _streamCommissions, _restCommissions;

    /// <summary>Completes once no order is being placed (an order in flight has its id known by then).</summary>
    public async Task WhenIdleAsync(CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        _lock.Release();
    }

    /// <summary>Client order ids whose outcome is not known yet (for diagnostics and tests).</summary>
    public IReadOnlyCollection<string> Uncertain => _uncertain.Keys;

    public async Task<ExchangeResult<OrderFill>> PlaceAsync(string symbol, OrderSide side, string quantity, bool reduceOnly, string clientOrderId, CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_done.TryGetValue(clientOrderId, out var known)) return ExchangeResult<OrderFill>.Ok(known);
            if (_uncertain.TryGetValue(clientOrderId, out var earlier))
            {
                var (lookup, order, error) = await FollowAsync(symbol, clientOrderId, earlier, ct).ConfigureAwait(false);
                if (lookup == Lookup.Found) return await FinishAsync(symbol, side, clientOrderId, order!, ct).ConfigureAwait(false);
                if (lookup == Lookup.StillUnknown) return ExchangeResult<OrderFill>.Fail(error!);
                _uncertain.Remove(clientOrderId);
            }

            var query = new BinanceQuery()
                .Add("symbol", symbol)
                .Add("side", side == OrderSide.Buy ? "BUY" : "SELL")
                .Add("type", "MARKET")
                .Add("quantity", quantity);
            if (reduceOnly) query.Add("reduceOnly", "true");
            query.Add("newClientOrderId", clientOrderId).Add("newOrderRespType", "RESULT");

            for (var send = 1; ; send++)
            {
                var trace = new BinanceCallTrace();
                var sent = await rest.SendAsync(HttpMethod.Post, "/fapi/v1/order", query, BinanceSecurity.Signed, 0, ct, isOrder: true, trace).ConfigureAwait(false);
                var sentAt = trace.LastSentAt ?? time.GetUtcNow();
                if (sent.Success)
                {
                    BinanceOrder accepted;
                    try { accepted = BinanceOrder.Parse(sent.Data!.Body); }
                    catch (Exception ex) when (ex is JsonException or FormatException)
                    {
                        accepted = new BinanceOrder(null, clientOrderId, "NEW", side, 0, 0, 0); // accepted, contents unreadable: look it up
                    }
                    if (accepted.IsFinal) return await FinishAsync(symbol, side, clientOrderId, accepted, ct).ConfigureAwait(false);
                    _uncertain[clientOrderId] = sentAt;
                    var (l, o, e) = await FollowAsync(symbol, clientOrderId, sentAt, ct).ConfigureAwait(false);
                    return l == Lookup.Found ? await FinishAsync(symbol, side, clientOrderId, o!, ct).ConfigureAwait(false)
                        : ExchangeResult<OrderFill>.Fail(e ?? new ExchangeError(ExchangeErrorKind.Unknown, null, $"order {clientOrderId} accepted but not filled yet"));
                }

                var error = sent.Error!;
                var duplicated = error.Code == -4116;
                if (!duplicated && !BinanceErrorMap.IsOutcomeUnknown(error)) return ExchangeResult<OrderFill>.Fail(error);

                _uncertain[clientOrderId] = sentAt;
                var (lookup, order, followError) = await FollowAsync(symbol, clientOrderId, sentAt, ct).ConfigureAwait(false);
                if (lookup == Lookup.Found) return await FinishAsync(symbol, side, clientOrderId, order!, ct).ConfigureAwait(false);
                if (lookup == Lookup.StillUnknown) return ExchangeResult<OrderFill>.Fail(followError ?? error);
                _uncertain.Remove(clientOrderId);
                if (send >= 2)
                    return ExchangeResult<OrderFill>.Fail(new ExchangeError(ExchangeErrorKind.Unknown, error.Code,
                        $"order {clientOrderId} was not placed after a resend: {error.Message}"));
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Queries the order by client id until it is final, or known absent, or the reconcile times out.</summary>
    /// <remarks>"Does not exist" is final once recvWindow + margin have passed since the request left: after that
    /// Binance rejects the original (-1021 at the API, -5028 at the matching engine) even if it arrives. Measured on
    /// the local clock from the send, which on Binance equals server time past timestamp + recvWindow, and does not
    /// depend on offset resyncs (or on a test server whose clock stands still).</remarks>
    private async Task<(Lookup, BinanceOrder?, ExchangeError?)> FollowAsync(string symbol, string clientOrderId, DateTimeOffset sentAt, CancellationToken ct)
    {
        var options = rest.Options;
        var finalAfter = sentAt + options.RecvWindow + options.ReconcileMargin;
        var started = time.GetUtcNow();
        var openPolls = 0;
        var absentAfterWindow = 0;
        ExchangeError? last = null;
        BinanceOrder? open = null;
        while (true)
        {
            var q = await rest.SendAsync(HttpMethod.Get, "/fapi/v1/order",
                new BinanceQuery().Add("symbol", symbol).Add("origClientOrderId", clientOrderId), BinanceSecurity.Signed, 1, ct).ConfigureAwait(false);
            if (q.Success)
            {
                BinanceOrder? order = null;
                try { order = BinanceOrder.Parse(q.Data!.Body); }
                catch (Exception ex) when (ex is JsonException or FormatException) { last = new ExchangeError(ExchangeErrorKind.Unknown, null, $"order {clientOrderId}: unreadable answer"); }
                if (order is { IsFinal: true }) return (Lookup.Found, order, null);
                if (order is not null)
                {
                    open = order;
                    last = new ExchangeError(ExchangeErrorKind.Unknown, null, $"order {clientOrderId} is {order.Status}, not filled yet");
                    if (++openPolls >= options.FillPollAttempts) return (Lookup.StillUnknown, null, last);
                }
            }
            else
            {
                last = q.Error!;
                // One "does not exist" can be Binance's query side lagging its matching engine (an order that filled
                // a moment ago): only a second one, a poll later, makes a resend safe.
                if (last.Kind == ExchangeErrorKind.UnknownOrder && time.GetUtcNow() > finalAfter)
                {
                    if (++absentAfterWindow >= ConfirmAbsent) return (Lookup.NotFound, null, last);
                }
                else
                {
                    absentAfterWindow = 0;
                }
                if (last.Kind is ExchangeErrorKind.Banned or ExchangeErrorKind.Unauthorized)
                    return (Lookup.StillUnknown, null, new ExchangeError(ExchangeErrorKind.Unknown, last.Code, $"order {clientOrderId}: outcome unknown; lookup failed: {last.Message}"));
            }
            if (time.GetUtcNow() - started >= options.ReconcileTimeout)
                return (Lookup.StillUnknown, null, new ExchangeError(ExchangeErrorKind.Unknown, last?.Code,
                    $"order {clientOrderId}: outcome still unknown after {options.ReconcileTimeout.TotalSeconds:F0} s ({last?.Message ?? open?.Status})"));
            await Task.Delay(options.ReconcilePollInterval, time, ct).ConfigureAwait(false);
        }
    }

    private async Task<ExchangeResult<OrderFill>> FinishAsync(string symbol, OrderSide side, string clientOrderId, BinanceOrder order, CancellationToken ct)
    {
        _uncertain.Remove(clientOrderId);
        if (order.ExecutedQuantity <= 0)
        {
            // A MARKET order that expired unfilled (no liquidity, price protection) is a known outcome, not a failure:
            // the book records it as not executed and the next candle decides again.
            var none = new OrderFill(clientOrderId, order.OrderId, order.Side ?? side, order.MappedStatus, 0, 0, 0);
            _done[clientOrderId] = none;
            return ExchangeResult<OrderFill>.Ok(none);
        }
        var (commission, charges) = rest.Options.FetchCommission && order.OrderId is { } id
            ? await CommissionAsync(symbol, id, order.ExecutedQuantity, ct).ConfigureAwait(false)
            : ((decimal?)0m, (IReadOnlyList<CommissionCharge>)[]);
        var fill = new OrderFill(clientOrderId, order.OrderId, order.Side ?? side, order.MappedStatus,
            (double)order.ExecutedQuantity, (double)order.EffectivePrice, (double)(commission ?? 0m), CommissionKnown: commission is not null,
            Charges: charges.Count > 0 ? charges : null);
        _done[clientOrderId] = fill;
        return ExchangeResult<OrderFill>.Ok(fill);
    }

    /// <summary>The fills' n/N from the stream when it is up and delivers them within the bound; otherwise userTrades.</summary>
    private async Task<(decimal?, IReadOnlyList<CommissionCharge>)> CommissionAsync(string symbol, long orderId, decimal executed, CancellationToken ct)
    {
        if (fills is not null && streamUp is not null)
        {
            var up = streamUp();
            var trades = await fills.WaitForFillsAsync(orderId, executed, rest.Options.StreamFillWait, time, streamUp, ct).ConfigureAwait(false);
            if (trades is not null)
            {
                Interlocked.Increment(ref _streamCommissions);
                return await _commissions.ValueAsync(trades, orderId, ct).ConfigureAwait(false);
            }
            if (up) log?.Invoke($"Stream de usuario: los fills de la orden {orderId} no llegaron a tiempo; la comisión se lee por REST (userTrades).");
        }
        Interlocked.Increment(ref _restCommissions);
        return await _commissions.ReadAsync(symbol, orderId, ct).ConfigureAwait(false);
    }
}
