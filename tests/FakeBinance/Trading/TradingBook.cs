using Afml.FakeBinance.Rest;

namespace Afml.FakeBinance.Trading;

/// <summary>The account: USDT wallet, one-way positions, orders and fills, under one lock so every change and the
/// user-stream events it causes happen in one order.</summary>
internal sealed class TradingBook
{
    private readonly object _gate = new();
    private readonly FakeSymbolRules _rules;
    private readonly decimal _takerRate;
    private readonly ClientOrderIdReuse _idReuse;
    private readonly OrderJson _orderJson;
    private readonly AccountJson _accountJson;
    private readonly List<FakeOrder> _orders = [];
    private readonly List<FakeTrade> _trades = [];
    private decimal _wallet;
    private decimal _commission;
    private decimal _realized;
    private decimal _amount;
    private decimal _entry;
    private decimal _accumulatedRealized;
    private int _leverage;
    private long _positionUpdate;
    private long _nextOrderId = 4_000_000_001;
    private long _nextTradeId = 698_001;
    private long _autoIdCounter;

    private readonly FakeAccountModes _modes;

    public TradingBook(FakeBinanceOptions options, FakeAccountModes modes)
    {
        _modes = modes;
        _rules = options.Symbol;
        _takerRate = options.TakerCommissionRate;
        _idReuse = options.ClientOrderIdReuse;
        _wallet = options.InitialBalance;
        _leverage = options.InitialLeverage;
        _orderJson = new OrderJson(_rules);
        _accountJson = new AccountJson(_rules);
    }

    public OrderJson OrderJson => _orderJson;
    public AccountJson AccountJson => _accountJson;

    public IReadOnlyList<FakeOrder> Orders { get { lock (_gate) return _orders.ToArray(); } }
    public IReadOnlyList<FakeTrade> Trades { get { lock (_gate) return _trades.ToArray(); } }

    public FakeAccountSnapshot Snapshot(decimal mark)
    {
        lock (_gate) return SnapshotLocked(mark);
    }

    private FakeAccountSnapshot SnapshotLocked(decimal mark) =>
        new(_wallet, _commission, _realized, [PositionLocked(mark)]);

    private FakePosition PositionLocked(decimal mark) =>
        new(_rules.Symbol, _amount, _amount == 0m ? 0m : _entry, _leverage, _accumulatedRealized, mark, _positionUpdate);

    public int Leverage { get { lock (_gate) return _leverage; } }

    public bool HasPositionOrOpenOrders { get { lock (_gate) return _amount != 0m || _orders.Any(o => o.IsOpen); } }

    public int SetLeverage(int leverage)
    {
        lock (_gate) return _leverage = leverage;
    }

    public string NewClientOrderId()
    {
        var n = Interlocked.Increment(ref _autoIdCounter);
        return "fake_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(8, '0');
    }

    /// <summary>Validates against position, filters and margin, then books the order. MARKET orders fill at
    /// <paramref name="price"/> (all of it, or <paramref name="fillRatio"/> of it and EXPIRED); LIMIT orders rest.</summary>
    /// <param name="publish">Receives the user-stream events, in order, while the book is still locked.</param>
    public (FakeOrder? Order, BinanceError? Error) Place(OrderRequest request, decimal price, long now, decimal? fillRatio, Action<IReadOnlyList<string>> publish)
    {
        lock (_gate)
        {
            if (_orders.Any(o => o.ClientOrderId == request.ClientOrderId && (o.IsOpen || _idReuse == ClientOrderIdReuse.RejectAnyKnown)))
                return (null, BinanceError.ClientIdDuplicated);

            // Position mode: one-way takes BOTH only; hedge mode needs LONG/SHORT (the fake does not trade hedge legs).
            if (_modes.DualSidePosition != (request.PositionSide != "BOTH")) return (null, BinanceError.PositionSideMismatch);
            if (_modes.DualSidePosition)
                return (null, new BinanceError(400, -1000, "The fake Binance does not trade hedge-mode legs; switch it to one-way."));

            var isMarket = request.Type == "MARKET";
            var qty = request.Quantity;
            var sign = request.Side == "BUY" ? 1m : -1m;
            if (request.ReduceOnly)
            {
                if (_amount == 0m || Math.Sign(_amount) == Math.Sign(sign)) return (null, BinanceError.ReduceOnly);
                if (isMarket) qty = Math.Min(qty, Math.Abs(_amount));
            }
            var notionalPrice = isMarket ? price : request.Price;
            if (!request.ReduceOnly && qty * notionalPrice < _rules.MinNotional) return (null, BinanceError.MinNotional(_rules.MinNotional));
            if (!isMarket && _orders.Count(o => o.IsOpen) >= _rules.MaxOpenOrders) return (null, BinanceError.TooManyOrders);

            var order = new FakeOrder(_nextOrderId++, request.ClientOrderId, request.Symbol, request.Side, request.Type,
                request.TimeInForce, request.Quantity, isMarket ? 0m : request.Price, 0m, 0m, 0m, "NEW", request.ReduceOnly, 0m, 0m, now, now);

            if (!isMarket)
            {
                _orders.Add(order);
                publish([_orderJson.TradeUpdate(order, "NEW", "NEW", null, 0m, 0m, 0, now)]);
                return (order, null);
            }

            var fillQty = fillRatio is { } ratio ? RoundDownToStep(qty * ratio) : qty;
            if (!MarginAllows(sign * fillQty, price)) return (null, BinanceError.Margin);

            var events = new List<string> { _orderJson.TradeUpdate(order, "NEW", "NEW", null, 0m, 0m, 0, now) };
            var completes = fillQty == request.Quantity || (request.ReduceOnly && fillRatio is null);
            FakeTrade? trade = null;
            if (fillQty > 0m)
            {
                var realized = Apply(sign * fillQty, price, now);
                var fee = fillQty * price * _takerRate;
                var (charged, asset) = (fee, _rules.QuoteAsset);
                if (_modes.FeeBurn)
                {
                    // BNB deduct: 10 % off, paid from the BNB balance, so the USDT wallet only moves by the PnL.
                    charged = Math.Round(fee * 0.9m / _modes.BnbPrice, 8, MidpointRounding.AwayFromZero);
                    asset = "BNB";
                    _wallet += realized;
                }
                else
                {
                    _wallet += realized - fee;
                    _commission += fee;
                }
                _realized += realized;
                trade = new FakeTrade(_nextTradeId++, order.OrderId, order.Symbol, order.Side, price, fillQty, fillQty * price, charged, realized, now, asset);
                _trades.Add(trade);
                order = order with
                {
                    ExecutedQty = fillQty, AvgPrice = price, CumQuote = fillQty * price, Commission = fee, RealizedPnl = realized,
                    Status = completes ? "FILLED" : "PARTIALLY_FILLED", UpdateTime = now,
                };
                events.Add(_orderJson.TradeUpdate(order, "TRADE", order.Status, trade, fillQty, price, 0, now));
                events.Add(_accountJson.AccountUpdate(SnapshotLocked(price), PositionLocked(price), now, marginType: _modes.MarginType));
            }
            if (!completes)
            {
                order = order with { Status = "EXPIRED", UpdateTime = now };
                events.Add(_orderJson.TradeUpdate(order, "EXPIRED", "EXPIRED", null, order.ExecutedQty, order.AvgPrice, 9, now));
            }
            _orders.Add(order);
            publish(events);
            return (order, null);
        }
    }

    /// <summary>A fill the client did not ask for: a manual trade (type MARKET, execution TRADE) or a liquidation /
    /// ADL (type LIQUIDATION, execution CALCULATED), booked like any fill and published on the user stream.</summary>
    public FakeOrder ForceFill(string side, decimal qty, decimal price, long now, string clientOrderId, string type, string execution, Action<IReadOnlyList<string>> publish)
    {
        lock (_gate)
        {
            var order = new FakeOrder(_nextOrderId++, clientOrderId, _rules.Symbol, side, type, "GTC", qty, 0m, 0m, 0m, 0m, "NEW", type != "MARKET", 0m, 0m, now, now);
            (order, var trade) = FillWholeLocked(order, price, type == "MARKET" ? qty * price * _takerRate : 0m, now);
            publish([
                _orderJson.TradeUpdate(order, execution, "FILLED", trade, qty, price, 0, now),
                _accountJson.AccountUpdate(SnapshotLocked(price), PositionLocked(price), now, marginType: _modes.MarginType),
            ]);
            return order;
        }
    }

    /// <summary>Books <paramref name="order"/> filled whole at <paramref name="price"/>, the fee paid in USDT: position, wallet,
    /// commission and realised PnL, the trade, and the order FILLED in the order list.</summary>
    private (FakeOrder Order, FakeTrade Trade) FillWholeLocked(FakeOrder order, decimal price, decimal fee, long now)
    {
        var qty = order.OrigQty;
        var realized = Apply((order.Side == "BUY" ? 1m : -1m) * qty, price, now);
        _wallet += realized - fee;
        _commission += fee;
        _realized += realized;
        var trade = new FakeTrade(_nextTradeId++, order.OrderId, order.Symbol, order.Side, price, qty, qty * price, fee, realized, now);
        _trades.Add(trade);
        order = order with { ExecutedQty = qty, AvgPrice = price, CumQuote = qty * price, Commission = fee, RealizedPnl = realized, Status = "FILLED", UpdateTime = now };
        _orders.Add(order);
        return (order, trade);
    }

    /// <summary>A triggered close-all STOP_MARKET: the whole position closed reduce-only at <paramref name="price"/> (a MARKET
    /// order whose <c>ot</c> is STOP_MARKET and <c>cp</c> true, with the stop's client id), published as Binance does
    /// (ORDER_TRADE_UPDATE NEW and TRADE, then ACCOUNT_UPDATE). Null, nothing booked, when there is no position on the
    /// side the stop closes.</summary>
    public FakeOrder? CloseByStop(string side, decimal price, decimal triggerPrice, long now, string clientOrderId, Action<IReadOnlyList<string>> publish)
    {
        lock (_gate)
        {
            var sign = side == "BUY" ? 1m : -1m;
            if (_amount == 0m || Math.Sign(_amount) == Math.Sign(sign)) return null;
            var qty = Math.Abs(_amount);
            var order = new FakeOrder(_nextOrderId++, clientOrderId, _rules.Symbol, side, "MARKET", "GTC", qty, 0m, 0m, 0m, 0m, "NEW", true, 0m, 0m, now, now);
            var newEvent = _orderJson.TradeUpdate(order, "NEW", "NEW", null, 0m, 0m, 0, now, "STOP_MARKET", true, triggerPrice);
            (order, var trade) = FillWholeLocked(order, price, qty * price * _takerRate, now);
            publish([
                newEvent,
                _orderJson.TradeUpdate(order, "TRADE", "FILLED", trade, qty, price, 0, now, "STOP_MARKET", true, triggerPrice),
                _accountJson.AccountUpdate(SnapshotLocked(price), PositionLocked(price), now, marginType: _modes.MarginType),
            ]);
            return order;
        }
    }

    /// <summary>The signed one-way position.</summary>
    public decimal PositionAmount { get { lock (_gate) return _amount; } }

    public FakeOrder? Find(long? orderId, string? clientOrderId)
    {
        lock (_gate)
            return _orders.LastOrDefault(o => orderId is { } id ? o.OrderId == id : o.ClientOrderId == clientOrderId);
    }

    public IReadOnlyList<FakeOrder> OpenOrders()
    {
        lock (_gate) return _orders.Where(o => o.IsOpen).ToArray();
    }

    public FakeOrder? Cancel(long? orderId, string? clientOrderId, long now, Action<IReadOnlyList<string>> publish)
    {
        lock (_gate)
        {
            var index = _orders.FindLastIndex(o => o.IsOpen && (orderId is { } id ? o.OrderId == id : o.ClientOrderId == clientOrderId));
            if (index < 0) return null;
            var canceled = _orders[index] with { Status = "CANCELED", UpdateTime = now };
            _orders[index] = canceled;
            publish([_orderJson.TradeUpdate(canceled, "CANCELED", "CANCELED", null, canceled.ExecutedQty, canceled.AvgPrice, 0, now)]);
            return canceled;
        }
    }

    public void CancelAll(long now, Action<IReadOnlyList<string>> publish)
    {
        lock (_gate)
        {
            var events = new List<string>();
            for (var i = 0; i < _orders.Count; i++)
            {
                if (!_orders[i].IsOpen) continue;
                _orders[i] = _orders[i] with { Status = "CANCELED", UpdateTime = now };
                events.Add(_orderJson.TradeUpdate(_orders[i], "CANCELED", "CANCELED", null, _orders[i].ExecutedQty, _orders[i].AvgPrice, 0, now));
            }
            if (events.Count > 0) publish(events);
        }
    }

    private decimal RoundDownToStep(decimal qty) =>
        _rules.MarketStepSize == 0m ? qty : Math.Floor(qty / _rules.MarketStepSize) * _rules.MarketStepSize;

    /// <summary>Cross margin: after the trade, wallet (less the fee) plus unrealized PnL must cover the initial
    /// margin of the position. Trades that only reduce exposure always pass.</summary>
    private bool MarginAllows(decimal signedQty, decimal price)
    {
        var after = _amount + signedQty;
        if (Math.Abs(after) <= Math.Abs(_amount) && Math.Sign(after) * Math.Sign(_amount) >= 0) return true;
        var fee = Math.Abs(signedQty) * price * _takerRate;
        var realized = Math.Sign(_amount) != Math.Sign(signedQty) && _amount != 0m
            ? Math.Min(Math.Abs(signedQty), Math.Abs(_amount)) * (price - _entry) * Math.Sign(_amount)
            : 0m;
        var entryAfter = Math.Sign(after) == Math.Sign(_amount) && _amount != 0m ? (_amount * _entry + signedQty * price) / after : price;
        var equity = _wallet - fee + realized + after * (price - entryAfter);
        return equity - Math.Abs(after) * price / _leverage >= 0m;
    }

    /// <summary>Moves the one-way position by <paramref name="signedQty"/> at <paramref name="price"/>; returns
    /// the realized PnL of the part that closed exposure.</summary>
    private decimal Apply(decimal signedQty, decimal price, long now)
    {
        var realized = 0m;
        var after = _amount + signedQty;
        if (_amount == 0m || Math.Sign(_amount) == Math.Sign(signedQty))
        {
            _entry = _amount == 0m ? price : (_amount * _entry + signedQty * price) / after;
        }
        else
        {
            var closing = Math.Min(Math.Abs(signedQty), Math.Abs(_amount));
            realized = closing * (price - _entry) * Math.Sign(_amount);
            if (after == 0m) _entry = 0m;
            else if (Math.Sign(after) != Math.Sign(_amount)) _entry = price;
        }
        _amount = after;
        _accumulatedRealized += realized;
        _positionUpdate = now;
        return realized;
    }
}
