using System.Globalization;
using System.Text.Json;

namespace Afml.Core.Exchange.Binance;

/// <summary>
/// Close-all STOP_MARKET orders through Binance's Algo Order API (conditional orders left <c>/fapi/v1/order</c> in
/// December 2025: <c>POST/GET/DELETE /fapi/v1/algoOrder</c>, algoType CONDITIONAL, triggerPrice, closePosition=true,
/// workingType=MARK_PRICE, clientAlgoId). Idempotent as <see cref="BinanceOrderPlacer"/> is for MARKET orders: an
/// unknown outcome (timeout, reset, 5xx, -1000/-1006/-1007) or a duplicated id (-4116) is looked up by
/// <c>clientAlgoId</c>; "does not exist" (-2013) counts only past recvWindow + margin since the send, twice in a row,
/// and only then is the stop sent again, once. A definite rejection (-2021 would trigger at once, -4130 a close-all
/// stop already rests in that direction) is returned as it is.
/// </summary>
public sealed class BinanceAlgoOrders(BinanceRestClient rest, TimeProvider time)
{
    private const string Path = "/fapi/v1/algoOrder";
    private const int ConfirmAbsent = 2;
    private readonly SemaphoreSlim _lock = new(1, 1);

    public async Task<ExchangeResult<ProtectiveStopOrder>> PlaceStopAsync(string symbol, OrderSide side, string triggerPrice, string clientAlgoId, CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var query = new BinanceQuery()
                .Add("algoType", "CONDITIONAL")
                .Add("symbol", symbol)
                .Add("side", side == OrderSide.Buy ? "BUY" : "SELL")
                .Add("type", "STOP_MARKET")
                .Add("triggerPrice", triggerPrice)
                .Add("closePosition", "true")
                .Add("workingType", "MARK_PRICE")
                .Add("clientAlgoId", clientAlgoId);
            for (var send = 1; ; send++)
            {
                var trace = new BinanceCallTrace();
                var sent = await rest.SendAsync(HttpMethod.Post, Path, query, BinanceSecurity.Signed, 0, ct, isOrder: true, trace).ConfigureAwait(false);
                var sentAt = trace.LastSentAt ?? time.GetUtcNow();
                if (sent.Success && TryParse(sent.Data!.Body, out var placed)) return ExchangeResult<ProtectiveStopOrder>.Ok(placed!);
                var error = sent.Error ?? new ExchangeError(ExchangeErrorKind.Unknown, null, $"algo order {clientAlgoId}: unreadable answer");
                if (error.Code != -4116 && !BinanceErrorMap.IsOutcomeUnknown(error)) return ExchangeResult<ProtectiveStopOrder>.Fail(error);
                var (found, stop, followError) = await FollowAsync(symbol, clientAlgoId, sentAt, ct).ConfigureAwait(false);
                if (found == true) return ExchangeResult<ProtectiveStopOrder>.Ok(stop!);
                if (found is null) return ExchangeResult<ProtectiveStopOrder>.Fail(followError ?? error);
                if (send >= 2)
                    return ExchangeResult<ProtectiveStopOrder>.Fail(new ExchangeError(ExchangeErrorKind.Unknown, error.Code, $"algo order {clientAlgoId} was not placed after a resend: {error.Message}"));
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<ExchangeResult<ProtectiveStopOrder?>> QueryStopAsync(string symbol, string clientAlgoId, CancellationToken ct)
    {
        var q = await rest.SendAsync(HttpMethod.Get, Path, new BinanceQuery().Add("symbol", symbol).Add("clientAlgoId", clientAlgoId), BinanceSecurity.Signed, 1, ct).ConfigureAwait(false);
        if (!q.Success) return q.Error!.Kind == ExchangeErrorKind.UnknownOrder ? ExchangeResult<ProtectiveStopOrder?>.Ok(null) : ExchangeResult<ProtectiveStopOrder?>.Fail(q.Error);
        return TryParse(q.Data!.Body, out var stop)
            ? ExchangeResult<ProtectiveStopOrder?>.Ok(stop)
            : ExchangeResult<ProtectiveStopOrder?>.Fail(ExchangeErrorKind.Unknown, $"algo order {clientAlgoId}: unreadable answer");
    }

    /// <summary>DELETE by clientAlgoId. Accepted: CANCELED (one call). Otherwise (-2011 not open, an unknown outcome) the
    /// stop is read back, so the caller learns what it ended as (CANCELED, or FINISHED when it had triggered).</summary>
    public async Task<ExchangeResult<ProtectiveStopOrder?>> CancelStopAsync(string symbol, string clientAlgoId, CancellationToken ct)
    {
        var d = await rest.SendAsync(HttpMethod.Delete, Path, new BinanceQuery().Add("symbol", symbol).Add("clientAlgoId", clientAlgoId), BinanceSecurity.Signed, 1, ct).ConfigureAwait(false);
        if (d.Success)
        {
            long? algoId = null;
            try { using var doc = JsonDocument.Parse(d.Data!.Body); algoId = BinanceJson.TryLong(doc.RootElement, "algoId"); }
            catch (JsonException) { }
            return ExchangeResult<ProtectiveStopOrder?>.Ok(new ProtectiveStopOrder(clientAlgoId, algoId, OrderSide.Sell, 0m, "CANCELED"));
        }
        if (d.Error!.Kind is not (ExchangeErrorKind.UnknownOrder or ExchangeErrorKind.Unknown)) return ExchangeResult<ProtectiveStopOrder?>.Fail(d.Error);
        var after = await QueryStopAsync(symbol, clientAlgoId, ct).ConfigureAwait(false);
        if (!after.Success) return after;
        if (after.Data is { IsResting: true })
            return ExchangeResult<ProtectiveStopOrder?>.Fail(d.Error ?? new ExchangeError(ExchangeErrorKind.Unknown, null, $"algo order {clientAlgoId} still resting after its cancel"));
        return after;
    }

    /// <summary>Every conditional order resting on <paramref name="symbol"/> (GET /fapi/v1/openAlgoOrders, weight 1 with a symbol).</summary>
    public async Task<ExchangeResult<IReadOnlyList<ProtectiveStopOrder>>> OpenStopsAsync(string symbol, CancellationToken ct)
    {
        var q = await rest.SendAsync(HttpMethod.Get, "/fapi/v1/openAlgoOrders", new BinanceQuery().Add("symbol", symbol), BinanceSecurity.Signed, 1, ct).ConfigureAwait(false);
        if (!q.Success) return ExchangeResult<IReadOnlyList<ProtectiveStopOrder>>.Fail(q.Error!);
        var found = new List<ProtectiveStopOrder>();
        try
        {
            using var doc = JsonDocument.Parse(q.Data!.Body);
            if (doc.RootElement.ValueKind != JsonValueKind.Array) return ExchangeResult<IReadOnlyList<ProtectiveStopOrder>>.Fail(ExchangeErrorKind.Unknown, "openAlgoOrders: unreadable answer");
            foreach (var o in doc.RootElement.EnumerateArray())
                if (TryParse(o.GetRawText(), out var stop) && string.Equals(BinanceJson.TryString(o, "symbol") ?? symbol, symbol, StringComparison.OrdinalIgnoreCase)) found.Add(stop!);
        }
        catch (JsonException) { return ExchangeResult<IReadOnlyList<ProtectiveStopOrder>>.Fail(ExchangeErrorKind.Unknown, "openAlgoOrders: unreadable answer"); }
        return ExchangeResult<IReadOnlyList<ProtectiveStopOrder>>.Ok(found);
    }

    /// <summary>DELETE /fapi/v1/algoOpenOrders (weight 1): every conditional order on the symbol, as Binance documents it
    /// (answer <c>{"code":200,"msg":"The operation of cancel all open order is done."}</c>). The answer carries no
    /// count; the open algo orders read just before give one.</summary>
    public async Task<ExchangeResult<int>> CancelAllStopsAsync(string symbol, CancellationToken ct)
    {
        var open = await OpenStopsAsync(symbol, ct).ConfigureAwait(false);
        var d = await rest.SendAsync(HttpMethod.Delete, "/fapi/v1/algoOpenOrders", new BinanceQuery().Add("symbol", symbol), BinanceSecurity.Signed, 1, ct).ConfigureAwait(false);
        return d.Success ? ExchangeResult<int>.Ok(open.Success ? open.Data!.Count : 0) : ExchangeResult<int>.Fail(d.Error!);
    }

    /// <summary>Looks the stop up until found (true), known absent (false), or the reconcile times out (null).</summary>
    private async Task<(bool?, ProtectiveStopOrder?, ExchangeError?)> FollowAsync(string symbol, string clientAlgoId, DateTimeOffset sentAt, CancellationToken ct)
    {
        var options = rest.Options;
        var finalAfter = sentAt + options.RecvWindow + options.ReconcileMargin;
        var started = time.GetUtcNow();
        var absent = 0;
        ExchangeError? last = null;
        while (true)
        {
            var q = await QueryStopAsync(symbol, clientAlgoId, ct).ConfigureAwait(false);
            if (q.Success && q.Data is { } stop) return (true, stop, null);
            if (q.Success)
            {
                last = new ExchangeError(ExchangeErrorKind.UnknownOrder, -2013, $"algo order {clientAlgoId} does not exist");
                absent = time.GetUtcNow() > finalAfter ? absent + 1 : 0;
                if (absent >= ConfirmAbsent) return (false, null, last);
            }
            else
            {
                last = q.Error;
                if (last!.Kind is ExchangeErrorKind.Banned or ExchangeErrorKind.Unauthorized) return (null, null, last);
            }
            if (time.GetUtcNow() - started >= options.ReconcileTimeout)
                return (null, null, new ExchangeError(ExchangeErrorKind.Unknown, last?.Code, $"algo order {clientAlgoId}: outcome still unknown ({last?.Message})"));
            await Task.Delay(options.ReconcilePollInterval, time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>An algo order object (POST answer, GET answer).</summary>
    public static bool TryParse(string body, out ProtectiveStopOrder? stop)
    {
        stop = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var o = doc.RootElement;
            if (o.ValueKind != JsonValueKind.Object || BinanceJson.TryString(o, "clientAlgoId") is not { } id) return false;
            var triggered = BinanceJson.TryLong(o, "triggerTime") is > 0 and var t ? DateTimeOffset.FromUnixTimeMilliseconds(t) : (DateTimeOffset?)null;
            stop = new ProtectiveStopOrder(id, BinanceJson.TryLong(o, "algoId"), BinanceJson.TryString(o, "side") == "BUY" ? OrderSide.Buy : OrderSide.Sell,
                BinanceJson.TryDecimal(o, "triggerPrice") ?? 0m, BinanceJson.TryString(o, "algoStatus") ?? "NEW", triggered,
                BinanceJson.TryDecimal(o, "executedQty") ?? 0m, BinanceJson.TryDecimal(o, "avgPrice") ?? 0m,
                BinanceJson.TryString(o, "orderType") ?? BinanceJson.TryString(o, "type") ?? "STOP_MARKET",
                o.TryGetProperty("closePosition", out var cp) && (cp.ValueKind == JsonValueKind.True || (cp.ValueKind == JsonValueKind.String && cp.GetString() == "true")));
            return true;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return false;
        }
    }

    public static string Format(decimal price) => price.ToString(CultureInfo.InvariantCulture);
}
