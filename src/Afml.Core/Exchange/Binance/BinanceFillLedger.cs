namespace Afml.Core.Exchange.Binance;

/// <summary>One fill (a trade) on the account, as ORDER_TRADE_UPDATE (<c>t</c>, <c>l</c>, <c>L</c>, <c>n</c>, <c>N</c>,
/// <c>rp</c>, <c>T</c>) or GET /fapi/v1/userTrades reports it.</summary>
public sealed record BinanceTrade(long TradeId, long OrderId, string Symbol, OrderSide Side, decimal Quantity, decimal Price,
    decimal Commission, string CommissionAsset, decimal RealizedPnl, long Time);

/// <summary>
/// The fills the user-data stream has shown, keyed by symbol and trade id (Binance's <c>t</c>), so a fill seen both on the
/// stream and in a REST re-read is applied once. An own order's step waits here (bounded) for its fills' commission
/// (<c>n</c>/<c>N</c>) instead of reading userTrades; what was missed while the stream was down is re-read from the
/// last trade id seen. Bounded memory: the newest <see cref="Capacity"/> trade ids and orders are kept.
/// </summary>
public sealed class BinanceFillLedger
{
    public const int Capacity = 4096;
    private const int OrdersKept = 256;

    private readonly object _gate = new();
    private readonly HashSet<(string Symbol, long TradeId)> _seen = [];
    private readonly Queue<(string, long)> _seenOrder = new();
    private readonly Dictionary<long, List<BinanceTrade>> _byOrder = [];
    private readonly Queue<long> _orderOrder = new();
    private readonly Dictionary<string, long> _lastBySymbol = new(StringComparer.OrdinalIgnoreCase);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The highest trade id seen (stream or REST); null before the first.</summary>
    public long? LastTradeId { get; private set; }

    /// <summary>The newest trade time seen (ms); 0 before the first.</summary>
    public long LastTradeTime { get; private set; }

    /// <summary>Records a fill; false when its trade id was already seen (nothing changes).</summary>
    public bool Add(BinanceTrade trade)
    {
        ArgumentNullException.ThrowIfNull(trade);
        lock (_gate)
        {
            var key = (trade.Symbol.ToUpperInvariant(), trade.TradeId); // Binance numbers trades per symbol
            if (!_seen.Add(key)) return false;
            _seenOrder.Enqueue(key);
            if (_seenOrder.Count > Capacity) _seen.Remove(_seenOrder.Dequeue());
            if (trade.TradeId > (LastTradeId ?? long.MinValue)) LastTradeId = trade.TradeId;
            LastTradeTime = Math.Max(LastTradeTime, trade.Time);
            if (!_lastBySymbol.TryGetValue(trade.Symbol, out var last) || trade.TradeId > last) _lastBySymbol[trade.Symbol] = trade.TradeId;
            if (!_byOrder.TryGetValue(trade.OrderId, out var list))
            {
                _byOrder[trade.OrderId] = list = [];
                _orderOrder.Enqueue(trade.OrderId);
                if (_orderOrder.Count > OrdersKept) _byOrder.Remove(_orderOrder.Dequeue());
            }
            list.Add(trade);
            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return true;
        }
    }

    /// <summary>The highest trade id seen on <paramref name="symbol"/> (Binance numbers trades per symbol).</summary>
    public long? LastTradeIdOf(string symbol) { lock (_gate) return _lastBySymbol.TryGetValue(symbol, out var id) ? id : null; }

    public bool Seen(string symbol, long tradeId) { lock (_gate) return _seen.Contains((symbol.ToUpperInvariant(), tradeId)); }

    /// <summary>The fills of <paramref name="orderId"/> seen so far.</summary>
    public IReadOnlyList<BinanceTrade> TradesOf(long orderId)
    {
        lock (_gate) return _byOrder.TryGetValue(orderId, out var list) ? list.ToArray() : [];
    }

    /// <summary>Waits until the fills of <paramref name="orderId"/> add up to <paramref name="executed"/>, at most
    /// <paramref name="bound"/> (or while <paramref name="keepWaiting"/> says the stream can still deliver them). Null
    /// when they did not all arrive: the caller reads them over REST.</summary>
    public async Task<IReadOnlyList<BinanceTrade>?> WaitForFillsAsync(long orderId, decimal executed, TimeSpan bound, TimeProvider time,
        Func<bool> keepWaiting, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(bound);
        var started = time.GetTimestamp();
        try
        {
            while (true)
            {
                Task changed;
                lock (_gate)
                {
                    changed = _changed.Task; // taken before the check, so a fill in between is not missed
                    if (_byOrder.TryGetValue(orderId, out var list) && list.Sum(t => t.Quantity) >= executed) return list.ToArray();
                }
                if (!keepWaiting() || time.GetElapsedTime(started) >= bound) return null;
                // Also wakes every 50 ms to look at the stream's health (a drop ends the wait early).
                await Task.WhenAny(changed, Task.Delay(TimeSpan.FromMilliseconds(50), time, wait.Token)).WaitAsync(wait.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }
}
