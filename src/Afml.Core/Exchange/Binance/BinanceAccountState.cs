using System.Text.Json;

namespace Afml.Core.Exchange.Binance;

/// <summary>
/// The account as the user-data stream keeps it: the USDT wallet (ACCOUNT_UPDATE <c>B</c>) and each symbol's BOTH
/// position (<c>P</c>: absolute amount and entry, so an event seen twice changes nothing). It is only trusted while
/// <see cref="IsHealthy"/>: the stream connected, and the account and the symbol read over REST since that connection
/// (events sent while disconnected are lost), and no own fill still waiting for its events (<see cref="IsBehind"/>).
/// Equity is valued at the latest price the session gave (<see cref="OnPrice"/>); the available balance is equity less
/// the position's initial margin at its leverage.
/// </summary>
public sealed class BinanceAccountState
{
    private readonly object _gate = new();
    private readonly Dictionary<string, (decimal Amount, decimal Entry, decimal Unrealized)> _positions = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> _positionSeededAt = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, double> _prices = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<long, long> _pendingOrders = new(); // own order id → its final trade time (0: not seen yet)
    private readonly Dictionary<long, long> _finalSeen = new();     // final updates that arrived before the REST answer
    private decimal _wallet;
    private long _generation;      // bumps on every (re)connection
    private long _accountSeededAt = -1;
    private bool _connected;
    private long _lastAccountUpdateT;
    private long _accountUpdates; // ACCOUNT_UPDATEs applied, in arrival order
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsConnected { get { lock (_gate) return _connected; } }

    /// <summary>Own fills whose ORDER_TRADE_UPDATE or following ACCOUNT_UPDATE has not arrived yet.</summary>
    public bool IsBehind { get { lock (_gate) return _pendingOrders.Count > 0; } }

    public bool IsHealthy(string? symbol = null) => IsSeeded(symbol, requireCaughtUp: true);

    /// <summary>Connected and read over REST since the connection: only an own fill may still be missing, which is
    /// worth waiting a moment for.</summary>
    public bool IsSeeded(string? symbol, bool requireCaughtUp = false)
    {
        lock (_gate)
        {
            if (!_connected || _accountSeededAt != _generation || (requireCaughtUp && _pendingOrders.Count > 0)) return false;
            return symbol is null ? _positionSeededAt.Count > 0 && _positionSeededAt.Values.All(g => g == _generation)
                : _positionSeededAt.TryGetValue(symbol, out var g) && g == _generation;
        }
    }

    public void OnConnected() { lock (_gate) { _connected = true; _generation++; SignalLocked(); } }

    public void OnDisconnected() { lock (_gate) { _connected = false; SignalLocked(); } }

    public void OnPrice(string symbol, double price) { lock (_gate) _prices[symbol] = price; }

    /// <summary>A REST read of the account: the stream's state starts again from it.</summary>
    public void SeedAccount(AccountSnapshot account)
    {
        lock (_gate)
        {
            _wallet = (decimal)account.WalletBalance;
            _accountSeededAt = _generation;
        }
    }

    public void SeedPosition(PositionSnapshot p, int leverage)
    {
        lock (_gate)
        {
            _positions[p.Symbol] = ((decimal)p.Quantity, (decimal)p.EntryPrice, (decimal)p.UnrealizedPnl);
            _positionSeededAt[p.Symbol] = _generation;
            Leverage[p.Symbol] = leverage;
        }
    }

    /// <summary>Leverage per symbol (from symbolConfig or the one set), for the available-balance estimate.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> Leverage { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>An own order whose fill the stream must still confirm.</summary>
    public void ExpectOwnFill(long orderId)
    {
        lock (_gate)
        {
            _pendingOrders[orderId] = _finalSeen.Remove(orderId, out var t) ? t : 0;
            SettlePendingLocked();
        }
    }

    /// <summary>A fill this session did not send (manual, liquidation, ADL), seen on its ORDER_TRADE_UPDATE: the kept
    /// position is behind until the ACCOUNT_UPDATE that follows it, so a read in between waits for it (or goes to REST).</summary>
    public void ExpectForeignFill(long orderId, long tradeTime)
    {
        lock (_gate)
        {
            // Settled by the next ACCOUNT_UPDATE to arrive, not by timestamps: an earlier update carrying the same
            // millisecond (a frozen test clock, or a busy second on Binance) must not make the kept position look
            // current. Should that update have come first, reads go to REST until the next one: correct, only slower.
            // (Negative: an arrival count to reach, where own orders keep a trade time.)
            _pendingOrders[orderId] = -(_accountUpdates + 1);
            SignalLocked();
        }
    }

    public AccountSnapshot Account()
    {
        lock (_gate)
        {
            decimal unrealized = 0, initial = 0;
            foreach (var (symbol, p) in _positions)
            {
                if (p.Amount == 0) continue;
                if (_prices.TryGetValue(symbol, out var price))
                {
                    unrealized += p.Amount * ((decimal)price - p.Entry);
                    initial += Math.Abs(p.Amount) * (decimal)price / Math.Max(1, Leverage.GetValueOrDefault(symbol, 1));
                }
                else
                {
                    unrealized += p.Unrealized;
                    initial += Math.Abs(p.Amount) * p.Entry / Math.Max(1, Leverage.GetValueOrDefault(symbol, 1));
                }
            }
            var equity = _wallet + unrealized;
            return new AccountSnapshot((double)_wallet, (double)equity, (double)unrealized, (double)Math.Max(0, equity - initial));
        }
    }

    public PositionSnapshot Position(string symbol)
    {
        lock (_gate)
        {
            var p = _positions.GetValueOrDefault(symbol);
            var unrealized = p.Amount != 0 && _prices.TryGetValue(symbol, out var price) ? p.Amount * ((decimal)price - p.Entry) : p.Unrealized;
            return new PositionSnapshot(symbol, (double)p.Amount, p.Amount == 0 ? 0 : (double)p.Entry, (double)unrealized, Leverage.GetValueOrDefault(symbol, 0));
        }
    }

    /// <summary>Completes when the state changes next (an event applied).</summary>
    public Task Changed { get { lock (_gate) return _changed.Task; } }

    /// <summary>ACCOUNT_UPDATE: absolute USDT wallet and BOTH positions.</summary>
    public void ApplyAccountUpdate(JsonElement e)
    {
        lock (_gate)
        {
            var t = BinanceJson.TryLong(e, "T") ?? BinanceJson.TryLong(e, "E") ?? 0;
            if (e.TryGetProperty("a", out var a))
            {
                if (a.TryGetProperty("B", out var balances) && balances.ValueKind == JsonValueKind.Array)
                    foreach (var b in balances.EnumerateArray())
                        if (BinanceJson.TryString(b, "a") == "USDT" && BinanceJson.TryDecimal(b, "wb") is { } wb) _wallet = wb;
                if (a.TryGetProperty("P", out var positions) && positions.ValueKind == JsonValueKind.Array)
                    foreach (var p in positions.EnumerateArray())
                    {
                        if ((BinanceJson.TryString(p, "ps") ?? "BOTH") != "BOTH" || BinanceJson.TryString(p, "s") is not { } s) continue;
                        _positions[s] = (BinanceJson.TryDecimal(p, "pa") ?? 0, BinanceJson.TryDecimal(p, "ep") ?? 0, BinanceJson.TryDecimal(p, "up") ?? 0);
                    }
            }
            _lastAccountUpdateT = Math.Max(_lastAccountUpdateT, t);
            _accountUpdates++;
            SettlePendingLocked();
            SignalLocked();
        }
    }

    /// <summary>ORDER_TRADE_UPDATE of an own order: once final, its fill only waits for the ACCOUNT_UPDATE that follows it.</summary>
    public void ApplyOwnOrderUpdate(long orderId, string status, long tradeTime, bool filledSomething)
    {
        lock (_gate)
        {
            var final = status is "FILLED" or "EXPIRED" or "CANCELED" or "EXPIRED_IN_MATCH" or "REJECTED";
            if (!_pendingOrders.ContainsKey(orderId))
            {
                // The stream can beat the REST answer: remember the final update for ExpectOwnFill.
                if (final) { _finalSeen[orderId] = Math.Max(1, tradeTime); if (_finalSeen.Count > 64) _finalSeen.Remove(_finalSeen.Keys.Min()); }
                return;
            }
            if (status is "FILLED" or "EXPIRED" or "CANCELED" or "EXPIRED_IN_MATCH" or "REJECTED")
            {
                if (!filledSomething && status != "FILLED") _pendingOrders.Remove(orderId);
                else _pendingOrders[orderId] = Math.Max(1, tradeTime);
            }
            SettlePendingLocked();
            SignalLocked();
        }
    }

    /// <summary>Gives up waiting for the stream on these orders (REST has been read instead).</summary>
    public void ForgetPending() { lock (_gate) _pendingOrders.Clear(); }

    private void SettlePendingLocked()
    {
        foreach (var (id, t) in _pendingOrders.ToArray())
            if ((t > 0 && _lastAccountUpdateT >= t) || (t < 0 && _accountUpdates >= -t)) _pendingOrders.Remove(id);
    }

    private void SignalLocked()
    {
        _changed.TrySetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
