using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;


namespace Afml.Core.Exchange.Binance;

/// <summary>
/// Binance USDT-M Futures (production, testnet, or any server speaking the protocol, such as the loopback fake)
/// behind <see cref="IExchange"/>. One-way mode only: the account configuration is read before the first leverage,
/// position or order call (<see cref="BinanceAccountSettings"/>); a hedge-mode account is refused
/// (HedgeModeUnsupported) and never receives an order, and LONG/SHORT legs are never netted into one figure.
/// Positions are the signed <c>positionAmt</c> of the BOTH leg, closes are reduce-only MARKET orders; capital is the
/// USDT asset's, also in multi-assets mode. Quantities are floored to the symbol's step and sent as plain decimal text; orders
/// are idempotent by client order id (<see cref="BinanceOrderPlacer"/>).
/// </summary>
public sealed class BinanceExchange : IExchange, IPriceDriven, IProtectiveStops
{
    private readonly BinanceAlgoOrders _algo;
    private readonly ConcurrentDictionary<string, byte> _ownStopIds = new(StringComparer.Ordinal);
    private readonly BinanceAccountState _state = new();
    private readonly BinanceFillLedger _fills = new();
    private readonly ConcurrentDictionary<string, byte> _ownOrderIds = new(StringComparer.Ordinal);
    private readonly Channel<VenueEvent> _venueEvents = Channel.CreateBounded<VenueEvent>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly TimeProvider _time;
    private BinanceUserStream? _stream;
    private readonly ConcurrentDictionary<string, SymbolRules> _rules = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _leverage = new(StringComparer.OrdinalIgnoreCase);
    private readonly BinanceOrderPlacer _placer;
    private readonly BinanceAccountReader _accountReader;
    private readonly Action<string>? _log;
    private readonly SemaphoreSlim _configLock = new(1, 1);
    private (bool Hedge, bool MultiAssets)? _modes;
    private readonly CancellationTokenSource _background = new();
    private Task? _clockKeeper;
    private string? _symbol;                   // the session's symbol, whose missed fills a reconnect re-reads
    private long _lostAtMs;                    // server ms the stream was last lost (0: never)
    private readonly ConcurrentDictionary<long, byte> _ownOrderNumbers = new();
    private readonly SemaphoreSlim _catchUpLock = new(1, 1);
    private Task _catchUp = Task.CompletedTask;
    private readonly BinanceRestTurns _turns = new();
    private readonly BinanceConversionPrices _prices;

    /// <param name="environment">Production, Testnet, or <see cref="BinanceEnvironment.Local"/>.</param>
    /// <param name="credentials">From <see cref="BinanceCredentials.FromEnvironment"/> or given directly.</param>
    /// <param name="handler">The HTTP stack; tests pass a stub. Disposed with the exchange.</param>
    /// <param name="rateGate">Shared with the session's market feed (Binance's limits are per IP).</param>
    public BinanceExchange(BinanceEnvironment environment, BinanceCredentials credentials, TimeProvider time,
        BinanceOptions? options = null, HttpMessageHandler? handler = null, BinanceRateGate? rateGate = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        Rest = new BinanceRestClient(environment, options ?? new BinanceOptions(), time, credentials, handler, rateGate: rateGate);
        _prices = new BinanceConversionPrices(Rest, time, Rest.Options.CommissionPriceRefresh, _turns);
        _placer = new BinanceOrderPlacer(Rest, time, log, _fills, () => _stream is not null && _state.IsConnected, _prices);
        _accountReader = new BinanceAccountReader(Rest);
        _algo = new BinanceAlgoOrders(Rest, time);
        _log = log;
        _time = time;
    }

    /// <summary>The user-data stream's view of the account (healthy or not).</summary>
    public BinanceAccountState State => _state;

    /// <summary>Fills seen on the stream or re-read over REST, by trade id.</summary>
    public BinanceFillLedger Fills => _fills;

    /// <summary>Own fills whose commission came from the stream's n/N, and from GET userTrades.</summary>
    public int StreamCommissions => _placer.StreamCommissions;
    public int RestCommissions => _placer.RestCommissions;

    /// <summary>The user-data stream, once started (null with <see cref="BinanceOptions.UserStream"/> off).</summary>
    public BinanceUserStream? UserStream => _stream;

    /// <summary>Fills on the account this exchange did not send (manual trades, liquidations, ADL), as the user-data
    /// stream reports them, for the session to log and record as they happen.</summary>
    public ChannelReader<VenueEvent> VenueEvents => _venueEvents.Reader;

    /// <summary><see cref="VenueEvents"/> as an async stream.</summary>
    public IAsyncEnumerable<VenueEvent> ReadVenueEventsAsync(CancellationToken ct) => _venueEvents.Reader.ReadAllAsync(ct);

    /// <summary>Account and position answers given from the stream (no REST call) and over REST.</summary>
    public int StreamReads => _streamReads;
    public int RestReads => _restReads;
    private int _streamReads, _restReads;

    /// <summary>The session's latest price: the stream-kept equity is valued at it.</summary>
    public void OnPrice(string symbol, double price) => _state.OnPrice(symbol, price);

    /// <summary>The account configuration as read at start (null before).</summary>
    public BinanceAccountSettings? Settings { get; private set; }

    public string Name => Rest.Environment.Name;
    public bool IsLive => Rest.Environment.IsLive;

    /// <summary>The REST client (clock offset, rate-limit state) for diagnostics.</summary>
    public BinanceRestClient Rest { get; }

    /// <summary>Foreground (the session's calls) and background (re-read, refreshes) use of the REST connection.</summary>
    public BinanceRestTurns Turns => _turns;

    /// <summary>Commission assets' USDT prices (BNBUSDT), kept current in the background.</summary>
    public BinanceConversionPrices ConversionPrices => _prices;

    /// <summary>Orders whose outcome is still unknown.</summary>
    public IReadOnlyCollection<string> UncertainOrders => _placer.Uncertain;

    public async Task<ExchangeResult<SymbolRules>> GetSymbolRulesAsync(string symbol, CancellationToken ct)
    {
        if (_rules.TryGetValue(symbol, out var cached)) return ExchangeResult<SymbolRules>.Ok(cached);
        using var turn = await _turns.ForegroundAsync(ct).ConfigureAwait(false);
        var r = await Rest.SendAsync(HttpMethod.Get, "/fapi/v1/exchangeInfo", new BinanceQuery(), BinanceSecurity.None, 1, ct).ConfigureAwait(false);
        if (!r.Success) return ExchangeResult<SymbolRules>.Fail(r.Error!);
        return Read(r.Data!, "exchangeInfo", body =>
        {
            var rules = SymbolRulesReader.Read(body, symbol, out var limits);
            Rest.RateGate.SetLimits(limits.WeightPerMinute, limits.OrdersPerMinute);
            if (rules is null) return ExchangeResult<SymbolRules>.Fail(ExchangeErrorKind.Rejected, $"Symbol {symbol} is not listed in exchangeInfo.", -1121);
            _rules[symbol] = rules;
            return ExchangeResult<SymbolRules>.Ok(rules);
        });
    }

    /// <summary>The USDT asset's figures (see <see cref="BinanceAccountReader.ParseUsdtAccount"/>).</summary>
    public async Task<ExchangeResult<AccountSnapshot>> GetAccountAsync(CancellationToken ct)
    {
        using var turn = await _turns.ForegroundAsync(ct).ConfigureAwait(false);
        var modes = await ModesAsync(ct).ConfigureAwait(false);
        if (!modes.Success) return ExchangeResult<AccountSnapshot>.Fail(modes.Error!);
        if (await StreamHealthyAsync(null, ct).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _streamReads);
            return ExchangeResult<AccountSnapshot>.Ok(_state.Account());
        }
        return await ReadAccountRestAsync(modes.Data.MultiAssets, ct).ConfigureAwait(false);
    }

    /// <summary>GET account over REST; seeds the stream's state.</summary>
    private async Task<ExchangeResult<AccountSnapshot>> ReadAccountRestAsync(bool multiAssets, CancellationToken ct)
    {
        Interlocked.Increment(ref _restReads);
        var r = await Rest.SendAsync(HttpMethod.Get, Rest.Options.AccountPath, new BinanceQuery(), BinanceSecurity.Signed, 5, ct).ConfigureAwait(false);
        if (!r.Success) return ExchangeResult<AccountSnapshot>.Fail(r.Error!);
        var parsed = Read(r.Data!, "account", body => ExchangeResult<AccountSnapshot>.Ok(BinanceAccountReader.ParseUsdtAccount(body, multiAssets)));
        if (parsed.Success) _state.SeedAccount(parsed.Data!);
        return parsed;
    }

    /// <summary>Whether a read may be answered from the stream: connected and seeded since; an own fill not yet
    /// confirmed by the stream is waited for up to <see cref="BinanceOptions.StreamCatchUp"/> (then REST reads and the
    /// wait is dropped: the stream is behind).</summary>
    private async Task<bool> StreamHealthyAsync(string? symbol, CancellationToken ct)
    {
        if (_stream is null) return false;
        if (_state.IsHealthy(symbol)) return true;
        if (!_state.IsBehind || !_state.IsSeeded(symbol)) return false; // down, or not read since it reconnected: REST
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(Rest.Options.StreamCatchUp);
        try
        {
            while (true)
            {
                var changed = _state.Changed; // taken before the check, so a change in between is not missed
                if (!_state.IsBehind || !_state.IsConnected) break;
                await changed.WaitAsync(wait.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            _log?.Invoke("Stream de usuario atrasado: la cuenta se lee por REST.");
            _state.ForgetPending();
            return false;
        }
        return _state.IsHealthy(symbol);
    }

    private void OnStreamEvent(JsonElement e)
    {
        switch (BinanceJson.TryString(e, "e"))
        {
            case "ACCOUNT_UPDATE":
                _state.ApplyAccountUpdate(e);
                break;
            case "ORDER_TRADE_UPDATE" when e.TryGetProperty("o", out var o):
                var clientId = BinanceJson.TryString(o, "c") ?? "";
                var orderId = BinanceJson.TryLong(o, "i") ?? 0;
                var filled = BinanceJson.TryDecimal(o, "z") ?? 0;
                var trade = TradeOf(o, e);
                if (_ownOrderIds.ContainsKey(clientId))
                {
                    _ownOrderNumbers.TryAdd(orderId, 0);
                    if (trade is not null) _fills.Add(trade); // its commission (n/N) for the step that sent it
                    _state.ApplyOwnOrderUpdate(orderId, BinanceJson.TryString(o, "X") ?? "", BinanceJson.TryLong(o, "T") ?? BinanceJson.TryLong(e, "T") ?? 0, filled > 0);
                    break;
                }
                var last = BinanceJson.TryDecimal(o, "l") ?? 0;
                if (last <= 0 || BinanceJson.TryString(o, "x") is not ("TRADE" or "CALCULATED")) break;
                if (trade is not null && !_fills.Add(trade)) break; // already seen (twice on the stream, or re-read over REST)
                var kind = IsOwnStop(o, clientId) ? VenueEventKind.ProtectiveStop : KindOf(BinanceJson.TryString(o, "o") ?? "", clientId);
                var ev = new VenueEvent(
                    DateTimeOffset.FromUnixTimeMilliseconds(BinanceJson.TryLong(o, "T") ?? BinanceJson.TryLong(e, "E") ?? 0),
                    kind, BinanceJson.TryString(o, "s") ?? "", BinanceJson.TryString(o, "S") == "SELL" ? OrderSide.Sell : OrderSide.Buy,
                    (double)last, (double)(BinanceJson.TryDecimal(o, "L") ?? 0), clientId, orderId, (double)(BinanceJson.TryDecimal(o, "rp") ?? 0),
                    BinanceJson.TryString(o, "N"), (double?)BinanceJson.TryDecimal(o, "n"), null);
                // The position it changed comes with the ACCOUNT_UPDATE that follows: a read in between waits for it.
                _state.ExpectForeignFill(orderId, BinanceJson.TryLong(o, "T") ?? BinanceJson.TryLong(e, "T") ?? 0);
                _venueEvents.Writer.TryWrite(ev);
                _log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                    $"Evento del venue ({ev.Reason}): {ev.Side} {ev.Quantity} {ev.Symbol} @ {ev.Price} (orden {ev.OrderId}, '{ev.ClientOrderId}'), no enviada por esta sesión."));
                break;
        }
    }

    /// <summary>The order a triggered protective stop became: its client id is one of our stops' (the fake, and Binance as far
    /// as known), or it is a close-all STOP_MARKET (<c>ot</c>, <c>cp</c>) while one of ours rests.</summary>
    private bool IsOwnStop(JsonElement o, string clientId) =>
        _ownStopIds.ContainsKey(clientId)
        || (!_ownStopIds.IsEmpty && BinanceJson.TryString(o, "ot") == "STOP_MARKET" && o.TryGetProperty("cp", out var cp) && cp.ValueKind == JsonValueKind.True);

    public Task<ExchangeResult<ProtectiveStopOrder>> PlaceStopAsync(string symbol, OrderSide side, string triggerPrice, string clientAlgoId, CancellationToken ct)
    {
        _ownStopIds.TryAdd(clientAlgoId, 0);
        return _turns.InForegroundAsync(() => _algo.PlaceStopAsync(symbol, side, triggerPrice, clientAlgoId, ct), ct);
    }

    public async Task<ExchangeResult<ProtectiveStopOrder?>> QueryStopAsync(string symbol, string clientAlgoId, CancellationToken ct)
    {
        _ownStopIds.TryAdd(clientAlgoId, 0); // a stop adopted at start is ours too
        var found = await _turns.InForegroundAsync(() => _algo.QueryStopAsync(symbol, clientAlgoId, ct), ct).ConfigureAwait(false);
        // Triggered, learnt by asking: the kept position may not show its close yet; reads wait for the stream's next
        // ACCOUNT_UPDATE or go to REST (guard3).
        if (found.Success && found.Data is { HasTriggered: true, AlgoId: { } algoId }) _state.ExpectForeignFill(-algoId, 0);
        return found;
    }

    public Task<ExchangeResult<ProtectiveStopOrder?>> CancelStopAsync(string symbol, string clientAlgoId, CancellationToken ct) =>
        _turns.InForegroundAsync(() => _algo.CancelStopAsync(symbol, clientAlgoId, ct), ct);

    public Task<ExchangeResult<IReadOnlyList<ProtectiveStopOrder>>> OpenStopsAsync(string symbol, CancellationToken ct) =>
        _turns.InForegroundAsync(() => _algo.OpenStopsAsync(symbol, ct), ct);

    public Task<ExchangeResult<int>> CancelAllStopsAsync(string symbol, CancellationToken ct) =>
        _turns.InForegroundAsync(() => _algo.CancelAllStopsAsync(symbol, ct), ct);

    /// <summary>An event learnt otherwise than from the stream (a protective stop found triggered by asking), for the
    /// session's wait like the stream's own.</summary>
    public bool RaiseVenueEvent(VenueEvent e) => _venueEvents.Writer.TryWrite(e);

    /// <summary>The user-data stream is connected: a stop's trigger arrives as ORDER_TRADE_UPDATE (guard3).</summary>
    public bool TriggersReported => _stream is not null && _state.IsConnected;

    /// <summary>The fill an ORDER_TRADE_UPDATE carries (execution TRADE or CALCULATED, <c>l</c> &gt; 0), null otherwise.</summary>
    private static BinanceTrade? TradeOf(JsonElement o, JsonElement e)
    {
        var last = BinanceJson.TryDecimal(o, "l") ?? 0;
        if (last <= 0 || BinanceJson.TryString(o, "x") is not ("TRADE" or "CALCULATED") || BinanceJson.TryLong(o, "t") is not { } id) return null;
        return new BinanceTrade(
            id,
            BinanceJson.TryLong(o, "i") ?? 0,
            BinanceJson.TryString(o, "s") ?? "",
            BinanceJson.TryString(o, "S") == "SELL" ? OrderSide.Sell : OrderSide.Buy,
            last,
            BinanceJson.TryDecimal(o, "L") ?? 0,
            BinanceJson.TryDecimal(o, "n") ?? 0,
            BinanceJson.TryString(o, "N") ?? "USDT",
            BinanceJson.TryDecimal(o, "rp") ?? 0,
            BinanceJson.TryLong(o, "T") ?? BinanceJson.TryLong(e, "T") ?? 0);
    }

    /// <summary>Position mode and multi-assets mode, read once (weight 60) and kept: Binance refuses to switch either
    /// while a position or open order exists.</summary>
    private async Task<ExchangeResult<(bool Hedge, bool MultiAssets)>> ModesAsync(CancellationToken ct)
    {
        if (_modes is { } known) return ExchangeResult<(bool, bool)>.Ok(known);
        await _configLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_modes is { } again) return ExchangeResult<(bool, bool)>.Ok(again);
            var read = await _accountReader.ReadModesAsync(ct).ConfigureAwait(false);
            if (read.Success)
            {
                _modes = read.Data;
                if (read.Data.MultiAssets)
                    _log?.Invoke("Cuenta en modo multi-assets: los totales de Binance suman todos los activos en USD; el capital se dimensiona y comprueba sólo con el activo USDT.");
            }
            return read;
        }
        finally
        {
            _configLock.Release();
        }
    }

    /// <summary>Start of a session on <paramref name="symbol"/>: reads and logs the account configuration, refuses a
    /// hedge-mode account (<c>HedgeModeUnsupported</c>), and sets the margin type when the options name one.</summary>
    /// <exception cref="AfmlException">HedgeModeUnsupported; MarginTypeChangeFailed.</exception>
    public async Task<ExchangeResult<BinanceAccountSettings>> ConfigureAsync(string symbol, CancellationToken ct)
    {
        using var turn = await _turns.ForegroundAsync(ct).ConfigureAwait(false);
        var modes = await ModesAsync(ct).ConfigureAwait(false);
        if (!modes.Success) return ExchangeResult<BinanceAccountSettings>.Fail(modes.Error!);
        var (marginType, leverage) = await _accountReader.ReadSymbolConfigAsync(symbol, ct).ConfigureAwait(false);
        if (leverage is { } l) _leverage.TryAdd(symbol, l);
        var settings = new BinanceAccountSettings(modes.Data.Hedge, modes.Data.MultiAssets, marginType, leverage);
        Settings = settings;
        _log?.Invoke(settings.Describe(symbol));
        if (leverage is { } lev) _state.Leverage[symbol] = lev;
        if (settings.HedgeMode)
            throw new AfmlException("HedgeModeUnsupported", AfmlErrorCategory.InvalidOperation, BinanceAccountSettings.HowToLeaveHedgeMode(Name), Name);
        if (BinanceAccountReader.NormalizeMarginType(Rest.Options.MarginType) is { } wanted && wanted != marginType)
        {
            var set = await _accountReader.SetMarginTypeAsync(symbol, wanted, ct).ConfigureAwait(false);
            if (!set.Success)
            {
                if (set.Error!.Kind is ExchangeErrorKind.Rejected)
                    throw new AfmlException("MarginTypeChangeFailed", AfmlErrorCategory.InvalidOperation,
                        $"Setting the {symbol} margin type to {wanted} on {Name} failed: {set.Error} (Binance refuses while a position or open order exists).", symbol);
                return ExchangeResult<BinanceAccountSettings>.Fail(set.Error);
            }
            Settings = settings = settings with { MarginType = wanted };
            _log?.Invoke($"Margen de {symbol} cambiado a {wanted}, como pide la configuración.");
        }
        if (_clockKeeper is null)
            _clockKeeper = Task.Run(() => KeepClockAsync(_background.Token), CancellationToken.None);
        if (Rest.Options.UserStream && _stream is null)
        {
            _symbol = symbol;
            _stream = new BinanceUserStream(Rest, _time, OnStreamEvent, OnStreamConnected, OnStreamDisconnected, _log, _turns);
            if (await _stream.StartAsync(ct).ConfigureAwait(false))
                _log?.Invoke("Stream de usuario conectado: cuenta, posición y operaciones ajenas se siguen en tiempo real (REST como comprobación).");
        }
        return ExchangeResult<BinanceAccountSettings>.Ok(settings);
    }

    private void OnStreamConnected()
    {
        _state.OnConnected();
        // Events sent while the stream was down (a dropped socket, an expired key) are lost: re-read them over REST.
        if (_stream is { Connections: > 1 } && _symbol is { } symbol)
            _catchUp = Task.Run(async () =>
            {
                try { await CatchUpAsync(symbol, _background.Token).ConfigureAwait(false); }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _log?.Invoke($"Stream de usuario reconectado: la relectura por REST falló ({ex.GetType().Name}: {ex.Message}); la reconciliación del siguiente paso cubre.");
                }
            }, CancellationToken.None);
    }

    private void OnStreamDisconnected()
    {
        if (_state.IsConnected) Interlocked.Exchange(ref _lostAtMs, Rest.Clock.NowMs);
        _state.OnDisconnected();
    }

    /// <summary>Missed fills after a reconnect, applied exactly once: GET userTrades from the last trade id seen (or
    /// from when the stream was lost), then the account and position over REST (the stream's state starts again from
    /// them), then each fill not seen before becomes what the stream would have said: an own order's fill for its
    /// commission, a foreign one a venue event (its order looked up to tell a manual trade from a liquidation or ADL).
    /// Trade ids already seen, on the stream or here, are skipped. Returns the orders whose fills were missed.</summary>
    public async Task<int> CatchUpAsync(string symbol, CancellationToken ct)
    {
        await _catchUpLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var query = new BinanceQuery().Add("symbol", symbol);
            if (_fills.LastTradeIdOf(symbol) is { } last) query.Add("fromId", last + 1);
            else query.Add("startTime", Math.Max(0, Interlocked.Read(ref _lostAtMs) - 1_000));
            query.Add("limit", 1000);
            // Every request below is one background turn: it yields to the session's calls (a step's order → fill
            // sequence runs whole before it), and goes through the same rate gate.
            var r = await _turns.InBackgroundAsync(() => Rest.SendAsync(HttpMethod.Get, "/fapi/v1/userTrades", query, BinanceSecurity.Signed, 5, ct), ct).ConfigureAwait(false);
            IReadOnlyList<BinanceTrade> trades;
            try { trades = r.Success ? BinanceCommissions.ParseTrades(r.Data!.Body) : []; }
            catch (Exception ex) when (ex is JsonException or FormatException) { trades = []; }
            if (!r.Success) _log?.Invoke($"Stream de usuario reconectado: no se pudieron releer las operaciones ({r.Error}); la reconciliación del siguiente paso cubre.");
            // Re-seed from REST (reads go there until it is done): the position includes every fill listed above.
            if (_modes is { } modes) await _turns.InBackgroundAsync(() => ReadAccountRestAsync(modes.MultiAssets, ct), ct).ConfigureAwait(false);
            await _turns.InBackgroundAsync(() => ReadPositionRestAsync(symbol, ct), ct).ConfigureAwait(false);
            // An own order still in flight (its answer held, its events lost with the stream) is known as ours once
            // placed: never taken for a foreign fill.
            await _placer.WhenIdleAsync(ct).ConfigureAwait(false);
            var missed = 0;
            foreach (var order in trades.Where(t => !_fills.Seen(t.Symbol, t.TradeId)).OrderBy(t => t.TradeId).GroupBy(t => t.OrderId))
            {
                var fresh = order.Where(_fills.Add).ToList(); // the stream may have delivered some meanwhile
                if (fresh.Count == 0) continue;
                missed++;
                if (_ownOrderNumbers.ContainsKey(order.Key)) continue; // an own fill: its step takes the commission from the ledger
                var (clientId, type) = await LookUpOrderAsync(symbol, order.Key, ct).ConfigureAwait(false);
                if (_ownOrderIds.ContainsKey(clientId)) { _ownOrderNumbers.TryAdd(order.Key, 0); continue; }
                if (clientId.Length == 0)
                {
                    // Not known to be foreign: never record it as a manual trade; the next step's reconciliation books it.
                    _log?.Invoke($"Stream de usuario reconectado: la orden {order.Key} de un fill perdido no se pudo consultar; la reconciliación del siguiente paso la cubre.");
                    continue;
                }
                var quantity = fresh.Sum(t => t.Quantity);
                var price = quantity == 0 ? 0 : fresh.Sum(t => t.Quantity * t.Price) / quantity;
                var ev = new VenueEvent(DateTimeOffset.FromUnixTimeMilliseconds(fresh[^1].Time), KindOf(type, clientId), symbol, fresh[0].Side,
                    (double)quantity, (double)price, clientId, order.Key, (double)fresh.Sum(t => t.RealizedPnl),
                    string.Join("+", fresh.Select(t => t.CommissionAsset).Distinct()), (double)fresh.Sum(t => t.Commission), null);
                _venueEvents.Writer.TryWrite(ev);
                _log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                    $"Evento del venue perdido durante la reconexión del stream ({ev.Reason}), releído por REST: {ev.Side} {ev.Quantity} {ev.Symbol} @ {ev.Price} (orden {ev.OrderId}, '{ev.ClientOrderId}')."));
            }
            CatchUps++;
            return missed;
        }
        finally
        {
            _catchUpLock.Release();
        }
    }

    /// <summary>REST re-reads done after reconnections (diagnostics and tests).</summary>
    public int CatchUps { get; private set; }

    /// <summary>The client order id and type of a foreign order (userTrades carries neither).</summary>
    private async Task<(string ClientId, string Type)> LookUpOrderAsync(string symbol, long orderId, CancellationToken ct)
    {
        var q = await _turns.InBackgroundAsync(() => Rest.SendAsync(HttpMethod.Get, "/fapi/v1/order", new BinanceQuery().Add("symbol", symbol).Add("orderId", orderId), BinanceSecurity.Signed, 1, ct), ct).ConfigureAwait(false);
        if (!q.Success) return ("", "");
        try
        {
            using var doc = JsonDocument.Parse(q.Data!.Body);
            return (BinanceJson.TryString(doc.RootElement, "clientOrderId") ?? "", BinanceJson.TryString(doc.RootElement, "type") ?? BinanceJson.TryString(doc.RootElement, "origType") ?? "");
        }
        catch (JsonException) { return ("", ""); }
    }

    private VenueEventKind KindOf(string type, string clientId) =>
        _ownStopIds.ContainsKey(clientId) ? VenueEventKind.ProtectiveStop // our stop, seen by the reconnect's re-read
        : type == "LIQUIDATION" || clientId.StartsWith("autoclose-", StringComparison.Ordinal) ? VenueEventKind.Liquidation
        : clientId.StartsWith("adl_autoclose", StringComparison.Ordinal) ? VenueEventKind.AutoDeleverage
        : VenueEventKind.ManualTrade;

    /// <summary>Refreshes the server-time offset every half <see cref="BinanceOptions.TimeResyncInterval"/> in the
    /// background, so an order never waits for a resync between a candle's close and its POST.</summary>
    private async Task KeepClockAsync(CancellationToken ct)
    {
        var period = Rest.Options.TimeResyncInterval / 2;
        if (period <= TimeSpan.Zero) return;
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(period, _time, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            await _turns.InBackgroundAsync(() => Rest.SyncTimeAsync(ct), ct).ConfigureAwait(false);
        }
    }

    /// <summary>The BOTH leg of the symbol. A LONG or SHORT leg with an amount means the account is in hedge mode: that
    /// is reported as an error naming both legs, never netted into one figure.</summary>
    public async Task<ExchangeResult<PositionSnapshot>> GetPositionAsync(string symbol, CancellationToken ct)
    {
        using var turn = await _turns.ForegroundAsync(ct).ConfigureAwait(false);
        if (await StreamHealthyAsync(symbol, ct).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _streamReads);
            var kept = _state.Position(symbol);
            return ExchangeResult<PositionSnapshot>.Ok(kept with { Leverage = kept.Leverage > 0 ? kept.Leverage : _leverage.GetValueOrDefault(symbol, 0) });
        }
        return await ReadPositionRestAsync(symbol, ct).ConfigureAwait(false);
    }

    /// <summary>GET positionRisk over REST; seeds the stream's state.</summary>
    private async Task<ExchangeResult<PositionSnapshot>> ReadPositionRestAsync(string symbol, CancellationToken ct)
    {
        Interlocked.Increment(ref _restReads);
        var r = await Rest.SendAsync(HttpMethod.Get, Rest.Options.PositionRiskPath, new BinanceQuery().Add("symbol", symbol), BinanceSecurity.Signed, 5, ct).ConfigureAwait(false);
        if (!r.Success) return ExchangeResult<PositionSnapshot>.Fail(r.Error!);
        return Read(r.Data!, "positionRisk", body =>
        {
            using var doc = JsonDocument.Parse(body);
            decimal quantity = 0, unrealised = 0, entry = 0;
            int? leverage = null;
            var legs = new List<string>();
            if (doc.RootElement.ValueKind == JsonValueKind.Array)
            {
                foreach (var p in doc.RootElement.EnumerateArray())
                {
                    if (!string.Equals(BinanceJson.TryString(p, "symbol"), symbol, StringComparison.OrdinalIgnoreCase)) continue;
                    var amount = BinanceJson.TryDecimal(p, "positionAmt") ?? 0;
                    var side = BinanceJson.TryString(p, "positionSide") ?? "BOTH";
                    if (side != "BOTH")
                    {
                        if (amount != 0) legs.Add($"{side} {BinanceAccountReader.Describe(amount)} @ {BinanceAccountReader.Describe(BinanceJson.TryDecimal(p, "entryPrice") ?? 0)}");
                        continue;
                    }
                    quantity = amount;
                    unrealised = BinanceJson.TryDecimal(p, "unRealizedProfit") ?? BinanceJson.TryDecimal(p, "unrealizedProfit") ?? 0;
                    if (amount != 0) entry = BinanceJson.TryDecimal(p, "entryPrice") ?? entry;
                    leverage ??= (int?)BinanceJson.TryLong(p, "leverage");
                }
            }
            if (legs.Count > 0)
                return ExchangeResult<PositionSnapshot>.Fail(ExchangeErrorKind.Rejected,
                    $"HedgeModeUnsupported: {symbol} has hedge-mode legs ({string.Join(", ", legs)}); they are not netted into one position. " +
                    BinanceAccountSettings.HowToLeaveHedgeMode(Name), -4061);
            var snapshot = new PositionSnapshot(symbol, (double)quantity, quantity == 0 ? 0 : (double)entry, (double)unrealised,
                leverage ?? _leverage.GetValueOrDefault(symbol, 0));
            _state.SeedPosition(snapshot, snapshot.Leverage);
            return ExchangeResult<PositionSnapshot>.Ok(snapshot);
        });
    }

    public async Task<ExchangeResult<bool>> SetLeverageAsync(string symbol, int leverage, CancellationToken ct)
    {
        if (leverage is < 1 or > 125) return ExchangeResult<bool>.Fail(ExchangeErrorKind.Rejected, $"leverage {leverage} is outside 1..125", -4028);
        using var turn = await _turns.ForegroundAsync(ct).ConfigureAwait(false);
        // The session's first venue call: read (and log) the account configuration before anything else.
        if (Settings is null)
        {
            var configured = await ConfigureAsync(symbol, ct).ConfigureAwait(false);
            if (!configured.Success) return ExchangeResult<bool>.Fail(configured.Error!);
        }
        var r = await Rest.SendAsync(HttpMethod.Post, "/fapi/v1/leverage", new BinanceQuery().Add("symbol", symbol).Add("leverage", leverage), BinanceSecurity.Signed, 1, ct).ConfigureAwait(false);
        if (!r.Success) return ExchangeResult<bool>.Fail(r.Error!);
        _leverage[symbol] = leverage;
        _state.Leverage[symbol] = leverage;
        return ExchangeResult<bool>.Ok(true);
    }

    public async Task<ExchangeResult<OrderFill>> PlaceMarketOrderAsync(MarketOrderRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!ClientOrderIds.IsValid(request.ClientOrderId))
            return ExchangeResult<OrderFill>.Fail(ExchangeErrorKind.Rejected, $"client order id '{request.ClientOrderId}' does not match {ClientOrderIds.Pattern}; not sent", -4015);
        // The whole order → fill sequence (order, lookups, commission) is one foreground scope: no background request
        // (a reconnect's re-read) starts inside it.
        using var turn = await _turns.ForegroundAsync(ct).ConfigureAwait(false);
        // Never send an order the venue can only reject: a hedge-mode account answers -4061 to every one-way order.
        var modes = await ModesAsync(ct).ConfigureAwait(false);
        if (!modes.Success) return ExchangeResult<OrderFill>.Fail(modes.Error!);
        if (modes.Data.Hedge)
            return ExchangeResult<OrderFill>.Fail(ExchangeErrorKind.Rejected, $"HedgeModeUnsupported: order {request.ClientOrderId} not sent. " + BinanceAccountSettings.HowToLeaveHedgeMode(Name), -4061);
        var rules = await GetSymbolRulesAsync(request.Symbol, ct).ConfigureAwait(false);
        if (!rules.Success) return ExchangeResult<OrderFill>.Fail(rules.Error!);
        var q = QuantityRounder.Round(request.Quantity, rules.Data!, request.ReferencePrice, request.ReduceOnly);
        if (q.IsSkipped)
            return ExchangeResult<OrderFill>.Fail(ExchangeErrorKind.Rejected, $"order {request.ClientOrderId} skipped ({q.Skip}): {q.Detail}");
        _ownOrderIds[request.ClientOrderId] = 0; // before sending: its stream events may beat the answer
        var placed = await _placer.PlaceAsync(request.Symbol, request.Side, q.Text, request.ReduceOnly, request.ClientOrderId, ct).ConfigureAwait(false);
        if (!placed.Success && placed.Error!.Code == -4061)
        {
            _modes = null; // the account was switched to hedge mode under us: read it again before the next order
            _log?.Invoke($"Binance rechazó {request.ClientOrderId} por modo de posición (-4061): la cuenta pasó a modo hedge; no se envían más órdenes hasta volver a one-way.");
        }
        if (placed.Success && placed.Data!.OrderId is { } number) _ownOrderNumbers.TryAdd(number, 0);
        if (placed.Success && placed.Data!.ExecutedQuantity > 0 && placed.Data.OrderId is { } id && _stream is not null) _state.ExpectOwnFill(id);
        return placed;
    }

    public async Task<ExchangeResult<int>> CancelAllOrdersAsync(string symbol, CancellationToken ct)
    {
        using var turn = await _turns.ForegroundAsync(ct).ConfigureAwait(false);
        // The cancel answer carries no count; the open orders just before it give one (weight 1 with a symbol).
        var open = await Rest.SendAsync(HttpMethod.Get, "/fapi/v1/openOrders", new BinanceQuery().Add("symbol", symbol), BinanceSecurity.Signed, 1, ct).ConfigureAwait(false);
        var count = 0;
        if (open.Success)
        {
            try
            {
                using var doc = JsonDocument.Parse(open.Data!.Body);
                if (doc.RootElement.ValueKind == JsonValueKind.Array) count = doc.RootElement.GetArrayLength();
            }
            catch (JsonException) { }
        }
        var r = await Rest.SendAsync(HttpMethod.Delete, "/fapi/v1/allOpenOrders", new BinanceQuery().Add("symbol", symbol), BinanceSecurity.Signed, 1, ct).ConfigureAwait(false);
        return r.Success ? ExchangeResult<int>.Ok(count) : ExchangeResult<int>.Fail(r.Error!);
    }

    public async ValueTask DisposeAsync()
    {
        await _background.CancelAsync().ConfigureAwait(false);
        if (_clockKeeper is not null) try { await _clockKeeper.ConfigureAwait(false); } catch (OperationCanceledException) { }
        try { await _catchUp.ConfigureAwait(false); } catch (OperationCanceledException) { }
        if (_stream is not null) await _stream.DisposeAsync().ConfigureAwait(false);
        await _prices.DisposeAsync().ConfigureAwait(false);
        _venueEvents.Writer.TryComplete();
        _configLock.Dispose();
        _background.Dispose();
        _catchUpLock.Dispose();
        Rest.Dispose();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"BinanceExchange {{ {Name} at {Rest.Environment.Rest} }}");

    private static ExchangeResult<T> Read<T>(BinanceResponse response, string what, Func<string, ExchangeResult<T>> parse)
    {
        try
        {
            return parse(response.Body);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or OverflowException)
        {
            return ExchangeResult<T>.Fail(ExchangeErrorKind.Unknown, $"{what}: unreadable answer ({ex.Message})");
        }
    }
}
