using Afml.Core.Agent;
using Afml.Core.Configuration;
using Afml.Core.Exchange;
using Afml.Core.Features;
using Afml.Core.MarketData;
using Afml.Core.Portfolio;
using Afml.Core.Recording;
using Afml.Core.Risk;
using Afml.Core.Venues;

namespace Afml.Core.Session;

/// <summary>Everything one session is made of; built by <see cref="SessionFactory"/>, owned (and disposed) by
/// its <see cref="SessionHost"/>.</summary>
/// <param name="Venue">How this venue behaves inside the loop: prices, fill costs, start, reconciliation.</param>
public sealed record SessionParts(
    string SessionId,
    TrainingConfig Config,
    TrainingFolder Folder,
    FeaturePipeline Features,
    ObservationBuilder Observation,
    IPolicy Policy,
    TrainingPortfolio Book,
    IMarketFeed Feed,
    IExchange Exchange,
    SessionVenue Venue,
    RegistroWriter Registro,
    EmergencyWriter Emergencies,
    SessionStatusFile Status,
    int? MaxSteps,
    int? ExpectedSteps,
    string? OrderTag = null)
{
    /// <summary>Mark prices for the drawdown monitor between candles (paper, testnet, live; a replay with
    /// <c>-GuardIntraCandle</c>); null: the limit is checked at candle closes only (step B), as in training.</summary>
    public IMarkPriceSource? Marks { get; init; }

    /// <summary>What makes this session's client order ids its own (<c>afml-&lt;tag&gt;-&lt;step&gt;</c>): the session stamp
    /// plus a hash of the training and the process, so two sessions started in the same second on one account (two
    /// trainings, a quick restart) never share an id, and an order lookup can never find another session's order.</summary>
    public string ClientOrderTag => OrderTag ?? SessionId;
}

/// <summary>How the loop ended by itself (the host adds the ends it causes: stop, signal, fault).</summary>
public sealed record SessionEnd(SessionStopReason Reason, string? Detail = null);

/// <summary>
/// The one session loop, for every venue. Warm-up on history, then for each closed candle:
/// A account state · B drawdown · C observation · D action · E validation · F execution · G state · H registro.
/// Single-threaded: the feed and the venue are awaited in turn; nothing else mutates the book. What varies by
/// venue is asked of <see cref="SessionParts.Venue"/>; status, statistics and console watch the rows it writes
/// (<see cref="ISessionObserver"/>); how it starts, stops and fails is its <see cref="SessionHost"/>'s business.
/// </summary>
public sealed class TradingSession
{
    /// <summary><c>tipo_accion</c> (and <c>operacion</c> when nothing was open) of the emergency protocol's row.</summary>
    public const string EmergencyActionType = "emergencia";
    /// <summary><c>tipo_accion</c> and <c>operacion</c> of a step whose account state could not be read: nothing decided.</summary>
    public const string SkippedActionType = "paso_omitido";
    /// <summary><c>tipo_accion</c> of the close <c>-FlattenOnStop</c> sends when the session ends.</summary>
    public const string FinalCloseActionType = "cierre_final";
    /// <summary><c>tipo_accion</c> of a row for a fill the session did not send (its <c>operacion</c>: operacion_manual,
    /// liquidacion, adl).</summary>
    public const string VenueEventActionType = "evento_venue";
    /// <summary>An action this far outside [-1, 1] is clamped (float rounding of tanh); further out it is refused.</summary>
    public const float ActionTolerance = 1e-5f;

    private readonly SessionParts _p;
    private readonly TimeProvider _time;
    private readonly SessionLogger _log;
    private readonly OperationRetry _retry;
    private readonly OperationRetry _stateRetry;
    private readonly ISessionObserver[] _observers; // an array: a foreach over it allocates no enumerator per step
    private readonly TradingStateLatch _latch = new();
    private readonly ActionInterpreter _interpreter;
    private readonly DrawdownRule _drawdown;
    private readonly double[] _featureRow;
    private readonly float[] _market;
    private readonly float[] _portfolio = new float[PortfolioFeatures.Count];
    private VenueContext? _venue;
    private OrderSizer? _sizer;
    private Candle? _lastSeen;
    private DateTimeOffset _lastSeenAt;
    private readonly EmergencyProtocolOptions? _emergencyOptions;
    private OrderFill? _rowFill; // binance: the venue fill whose commission detail the next registro row carries
    private OperationRecord? _reconciliation; // the last reconciliation the venue recorded in the book
    private readonly DrawdownMonitor? _monitor;
    private VenueEvent? _breach; // the monitor's breach that ended the wait between candles
    private string? _haltedBy; // the emergency a triggered protective stop ran (it ended the wait between candles)
    private readonly Func<VenueEvent, Task<bool>> _onVenueEvent; // one delegate for the run, not one per candle
    private readonly SessionOrderIds _orderIds; // the session's order tag checked once, not at every order

    /// <param name="retry">Orders: the seed's 3 attempts 1 s apart.</param>
    /// <param name="stateRetry">Reads of account and position state: backed off within the candle.</param>
    /// <param name="emergency">How long the emergency protocol keeps trying while the venue is unreachable (default 5 minutes).</param>
    /// <param name="monitor">The drawdown monitor between candles, fed by <see cref="SessionParts.Marks"/> (null: none).</param>
    public TradingSession(SessionParts parts, TimeProvider time, SessionLogger log, IReadOnlyList<ISessionObserver> observers,
        OperationRetry? retry = null, OperationRetry? stateRetry = null, EmergencyProtocolOptions? emergency = null, DrawdownMonitor? monitor = null)
    {
        _monitor = parts.Marks is null ? null : monitor;
        _emergencyOptions = emergency;
        _p = parts;
        _time = time;
        _log = log;
        _observers = [.. observers];
        _retry = retry ?? new OperationRetry(time);
        _stateRetry = stateRetry ?? OperationRetry.StateReads(time);
        _interpreter = new ActionInterpreter(parts.Config.Environment.HoldThreshold);
        _drawdown = new DrawdownRule(parts.Config.Environment.MaxDrawdown);
        _featureRow = new double[parts.Features.FeatureCount];
        _market = new float[parts.Policy.Shape.MarketLength];
        Progress = new SessionProgress(time.GetUtcNow(), _latch);
        _onVenueEvent = OnVenueEventAsync;
        _orderIds = new SessionOrderIds(parts.ClientOrderTag);
    }

    public SessionProgress Progress { get; }

    private string Symbol => _p.Config.Market.Symbol;
    private long IntervalMs => _p.Config.Market.Interval.Milliseconds;

    /// <summary>Tells the observers the session's state changed.</summary>
    internal void Announce(SessionState state, string? reason)
    {
        foreach (var o in _observers) o.OnStateChanged(state, reason, Progress);
    }

    /// <summary>Runs to the end of the feed, <c>MaxSteps</c>, an emergency, an operator's request, or
    /// <paramref name="stop"/>. Start failures are <see cref="AfmlException"/>s; anything else thrown is a fault the
    /// host answers with <see cref="EmergencyAsync"/>.</summary>
    public async Task<SessionEnd> RunAsync(CancellationToken stop)
    {
        _log.Info($"🚀 Iniciando sesión {_p.SessionId} · {_p.Config.TrainId} · {Symbol} {_p.Config.Market.Interval} · venue {_p.Exchange.Name}{(_p.Exchange.IsLive ? " (LIVE: dinero real)" : "")}");
        await StartAsync(stop).ConfigureAwait(false);
        Announce(SessionState.Running, null);
        using var control = new ControlWatcher(_p.Status.Path, _time,
            ignored: r => _log.Warning($"Orden de control desconocida '{r.Command}' ({r.RequestedBy}): ignorada"));
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stop, control.Token);
        // The drawdown monitor listens to the marks from now on (the book it watches is the one the start left).
        using var monitoring = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var monitor = WatchMarksAsync(monitoring.Token);
        try
        {
            // The wait for the next candle also wakes on a fill the session did not send (recorded as it happens; a
            // triggered protective stop ends the wait) and on the monitor's breach (the emergency protocol at once).
            await using var wait = new CandleOrVenueEvent(_p.Feed.StreamClosedCandlesAsync(waiting.Token).GetAsyncEnumerator(waiting.Token), _p.Venue.Events, _monitor?.Breaches);
            while (await wait.NextAsync(_onVenueEvent, waiting.Token).ConfigureAwait(false))
            {
                var candle = wait.Current;
                if (!Warm(candle))
                {
                    _log.Debug($"Vela {candle.OpenTimeUtc:O}: calentando indicadores, sin decisión");
                    continue;
                }
                // The watcher's timer reads the control file; the loop only looks at what it found (and reads the file
                // itself once, at the first decision, so a request written before the start is acted on there).
                if ((Progress.Steps == 0 ? control.Poll() : control.Pending) is { } request) return await OnRequestAsync(request, candle, atLastClose: false).ConfigureAwait(false);
                if (await StepAsync(candle).ConfigureAwait(false) is { } emergency) return new(SessionStopReason.Emergency, emergency);
                await _p.Venue.AfterDecisionAsync(_venue!, CancellationToken.None).ConfigureAwait(false); // the exchange-resident stop follows the peak
                if (_p.MaxSteps is { } max && Progress.Steps >= max) return new(SessionStopReason.MaxSteps);
            }
            if (_haltedBy is null && _breach is null) return new(SessionStopReason.Completed);
            await waiting.CancelAsync().ConfigureAwait(false); // an event ended the wait: the feed's pending read ends
            return new(SessionStopReason.Emergency, _haltedBy ?? await GuardBreachAsync(_breach!).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested && control.Pending is { } request && _lastSeen is { } last)
        {
            // The request arrived while waiting for a candle: act now, at the last known close.
            return await OnRequestAsync(request, last, atLastClose: true).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return new(SessionStopReason.Cancelled);
        }
        finally
        {
            await monitoring.CancelAsync().ConfigureAwait(false);
            await monitor.ConfigureAwait(false);
        }
    }

    /// <summary>The monitor on the session's mark source until the loop ends; a source that fails is logged (the
    /// candle-close check goes on).</summary>
    private async Task WatchMarksAsync(CancellationToken ct)
    {
        if (_monitor is null || _p.Marks is not { } marks) return;
        try { await _monitor.WatchAsync(marks, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception ex) { _log.Error($"❌ Monitor de drawdown entre velas detenido: {ex.GetType().Name}: {ex.Message}; el límite se comprueba solo al cierre de cada vela"); }
    }

    /// <summary>An event between candles: the monitor's breach ends the wait (true); a fill the session did not send
    /// is recorded and the wait goes on, unless it was the protective stop's (its emergency has run: true).</summary>
    private async Task<bool> OnVenueEventAsync(VenueEvent e)
    {
        if (e.Kind != VenueEventKind.DrawdownBreach)
        {
            await RecordVenueEventAsync(e).ConfigureAwait(false);
            return _haltedBy is not null;
        }
        if (_p.Book.Position is null)
        {
            // Crossed on a position a step has closed since: nothing left to guard; step B judges the realised loss.
            _log.Info($"🛡️ Monitor entre velas: {e.Detail}; la posición ya está cerrada, sin protocolo");
            _monitor?.Rearm();
            return false;
        }
        _breach = e;
        return true;
    }

    /// <summary>The monitor saw the limit crossed on a mark between candles: the emergency protocol now, at the price
    /// the monitor gives (the mark; a replayed candle's stop price with slippage), stamped with the mark's time.</summary>
    private async Task<string> GuardBreachAsync(VenueEvent breach)
    {
        // The exchange stop sits just inside the limit: it may have closed the position already, its trigger not yet heard of.
        if (await _p.Venue.ProtectiveStopTriggeredAsync(_venue!, CancellationToken.None).ConfigureAwait(false) is { } stopped
            && await StopEndedAsync(stopped).ConfigureAwait(false) is { } ended)
            return ended;
        Progress.LastPrice = breach.Price;
        _p.Venue.OnCandle(Symbol, breach.Price); // a simulated account closes at this price
        return await EmergencyAsync(breach.Detail ?? breach.Reason, _lastSeen, breach.Price, breach.Time).ConfigureAwait(false);
    }

    /// <summary>History, leverage, the venue's rules, then the venue's own start (capital, adopted position).</summary>
    private async Task StartAsync(CancellationToken ct)
    {
        var history = await _p.Feed.LoadHistoryAsync(ct).ConfigureAwait(false);
        foreach (var c in history) Warm(c);
        if (history.Count > 0) Progress.LastPrice = _p.Venue.PriceOf(history[^1]);
        _log.Info($"📥 Historial: {history.Count} velas para calentar indicadores (ventana {_p.Observation.Window}, {_p.Features.FeatureCount} features)");
        var exchange = _p.Exchange;
        var leverage = (int)Math.Ceiling(_p.Config.Portfolio.Leverage);
        var lev = await _retry.RunAsync(c => exchange.SetLeverageAsync(Symbol, leverage, c), ct).ConfigureAwait(false);
        if (!lev.Success) throw _p.Venue.StartFailure(lev.Error!, exchange.Name, "LeverageFailed", AfmlErrorCategory.InvalidOperation, $"Setting leverage {leverage} on {Symbol} failed: {lev.Error}", Symbol);
        var rules = await _retry.RunAsync(c => exchange.GetSymbolRulesAsync(Symbol, c), ct).ConfigureAwait(false);
        if (!rules.Success) throw _p.Venue.StartFailure(rules.Error!, exchange.Name, "SymbolRulesFailed", AfmlErrorCategory.InvalidOperation, $"Reading the trading rules of {Symbol} failed: {rules.Error}", Symbol);
        _sizer = new OrderSizer(rules.Data!, _p.Config.Portfolio.Leverage, _p.Config.Portfolio.Commission);
        _venue = new VenueContext(exchange, _p.Book, Symbol, rules.Data!, _stateRetry, _log, r => { _reconciliation = r; Reconciled(); })
        {
            OrderTag = _p.ClientOrderTag,
            SessionId = _p.SessionId,
            OrderRetryOverride = _retry,
        };
        await _p.Venue.StartAsync(_venue, history, ct).ConfigureAwait(false);
    }

    private void Reconciled()
    {
        foreach (var o in _observers) o.OnReconciled(Progress);
    }

    /// <summary>Features and the observation window; true when a decision can be made on this candle.</summary>
    private bool Warm(in Candle candle)
    {
        _lastSeen = candle;
        _lastSeenAt = _time.GetUtcNow();
        var complete = _p.Features.Update(candle, _featureRow);
        if (complete) _p.Observation.Push(_featureRow);
        return complete && _p.Observation.IsReady;
    }

    /// <summary>One decision; returns the emergency reason when the protocol ran.</summary>
    private async Task<string?> StepAsync(Candle candle)
    {
        var price = _p.Venue.PriceOf(candle);
        // A candle that is not a price (a venue's zero close) is a fault of the data, never something to decide on:
        // the host answers it with the emergency protocol at the last good price.
        if (!(price > 0) || !double.IsFinite(price)) throw NotAPrice(candle);
        var decisionTime = candle.OpenTimeUtc.AddMilliseconds(IntervalMs);
        Progress.LastPrice = price;
        Progress.FirstCandle ??= candle.OpenTimeUtc;
        Progress.LastCandle = candle.OpenTimeUtc;
        var paso = Progress.Steps + 1;
        _p.Book.OnNewCandle();

        // A. account state (read failures that pass are retried within the candle; still unknown: skip the step)
        _p.Venue.OnCandle(Symbol, price);
        var account = await _stateRetry.RunAsync(c => _p.Exchange.GetAccountAsync(c), CancellationToken.None).ConfigureAwait(false);
        if (!account.Success) return SkipStep(paso, decisionTime, candle, price, account.Error!);
        // (the exchange stop triggered unheard of, its venue's stream down: its end, before deciding on a position that is gone)
        if (await _p.Venue.UnreportedStopTriggerAsync(_venue!, CancellationToken.None).ConfigureAwait(false) is { } unheard)
            return await StopEndedAsync(unheard).ConfigureAwait(false);

        // B. drawdown (the exchange stop may have closed the position already, its trigger not yet heard of: its end, no second close)
        if (_drawdown.Check(_p.Book.MaxDrawdown(price)) is { } breach)
            return await LimitReachedAsync(breach, candle, price, decisionTime).ConfigureAwait(false);

        // C. observation
        _p.Observation.CopyMarket(_market);
        PortfolioFeatures.Compute(_p.Book, price, _p.Book.Settings.InitialCapital, _p.Config.Environment.NormalizePortfolio, _portfolio);

        // D. action
        var raw = _p.Policy.Predict(_market, _portfolio);

        // E. validation: the action before anything uses it, then the plan and its size
        var (action, actionDenial) = ValidateAction(raw);
        Progress.LastAction = action;
        if (actionDenial is not null)
        {
            WriteRow(paso, decisionTime, candle, action, price, Refused(OperationNames.Hold, OperationNames.Hold, actionDenial), null);
            return null;
        }
        var decision = _interpreter.Interpret(action, _p.Book.Position?.Side);
        var plan = _p.Book.Plan(decision, price);
        if (!plan.HasOrder)
        {
            WriteRow(paso, decisionTime, candle, action, price, plan.Record!, null);
            return null;
        }
        if (ValidatePlan(plan) is { } denial)
        {
            WriteRow(paso, decisionTime, candle, action, price, Refused(decision.ActionType, OperationName(plan), denial), null);
            return null;
        }
        var sized = _sizer!.Size(plan.Quantity, plan.ReduceOnly, price, account.Data!.AvailableBalance);
        if (sized.Skipped)
        {
            WriteRow(paso, decisionTime, candle, action, price, Refused(decision.ActionType, OperationName(plan), sized.SkipReason!), null);
            return null;
        }

        // F. execution (not cancelled by a stop: a step that sent an order always books its outcome)
        var clientOrderId = _orderIds.For(paso);
        var request = new MarketOrderRequest(Symbol, plan.Side!.Value, sized.Quantity, plan.ReduceOnly, clientOrderId, price);
        var fill = await _retry.RunAsync(c => _p.Exchange.PlaceMarketOrderAsync(request, c), CancellationToken.None,
            (attempt, error) => _log.Warning($"🔁 Reintento {attempt}/{_retry.Attempts} de la orden {clientOrderId}: {error}")).ConfigureAwait(false);
        if (!fill.Success)
            return await OrderFailedAsync(fill.Error!, plan, decision, paso, decisionTime, candle, action, price, clientOrderId).ConfigureAwait(false);
        var filled = fill.Data!.ExecutedQuantity > 0;
        _rowFill = fill.Data; // binance: commission asset detail for the row
        var record = _p.Book.Apply(plan, filled ? fill.Data.AveragePrice : price, fill.Data.ExecutedQuantity,
            filled ? _p.Venue.CostOf(fill.Data, _log) : FillCost.Training);

        // G. state after execution: the venue's position wins (a read that keeps failing is caught up next step)
        if (await _p.Venue.AfterStepAsync(_venue!, price, CancellationToken.None).ConfigureAwait(false) is { } posError)
            PositionUnread(paso, posError);

        // H. one registro row
        WriteRow(paso, decisionTime, candle, action, price, record, clientOrderId, filled, plan.Step == BookStep.Close && filled);
        return null;
    }

    // The step's rare turns, kept out of StepAsync's state machine: the runtime compiles that method again (twice)
    // while a replay runs, and its size is what each of those compilations costs.

    private InvalidDataException NotAPrice(in Candle candle) =>
        new($"Candle {candle.OpenTimeUtc:O} of {Symbol}: close {candle.Close} is not a price.");

    /// <summary>Step A could not read the account: the step is recorded as skipped, nothing decided.</summary>
    private string? SkipStep(int paso, DateTimeOffset decisionTime, Candle candle, double price, ExchangeError error)
    {
        _log.Warning($"⏭️ Paso {paso} omitido: estado de la cuenta desconocido ({error})");
        WriteRow(paso, decisionTime, candle, float.NaN, price, Skipped($"estado_desconocido: {error}"), null);
        return null;
    }

    /// <summary>Step B saw the limit crossed: the exchange stop's end if it already closed the position (no second
    /// close), otherwise the emergency protocol.</summary>
    private async Task<string?> LimitReachedAsync(string breach, Candle candle, double price, DateTimeOffset decisionTime) =>
        await _p.Venue.ProtectiveStopTriggeredAsync(_venue!, CancellationToken.None).ConfigureAwait(false) is { } stopped
            ? await StopEndedAsync(stopped).ConfigureAwait(false)
            : await EmergencyAsync(breach, candle, price, decisionTime).ConfigureAwait(false);

    /// <summary>Step F's order failed: a definite rejection is recorded and the session goes on; anything else (the
    /// retries spent) is recorded and the emergency protocol runs.</summary>
    private async Task<string?> OrderFailedAsync(ExchangeError error, OrderPlan plan, TradeDecision decision, int paso, DateTimeOffset decisionTime,
        Candle candle, float action, double price, string clientOrderId)
    {
        var record = Refused(decision.ActionType, OperationName(plan), error.ToString());
        if (IsDefiniteRejection(error, plan))
        {
            // The venue said no for good (margin, notional limits, reduce-only conflict): a rejected operation,
            // as the Python system records it; the next candle decides again.
            _log.Warning($"⛔ Orden {clientOrderId} rechazada por el venue: {error}");
            WriteRow(paso, decisionTime, candle, action, price, record, clientOrderId);
            return null;
        }
        _log.Error($"❌ Operación fallida tras {_retry.Attempts} intentos: {error}");
        WriteRow(paso, decisionTime, candle, action, price, record, clientOrderId);
        return await EmergencyAsync($"fallo_operacion: {error}", candle, price, decisionTime).ConfigureAwait(false);
    }

    private void PositionUnread(int paso, ExchangeError error) =>
        _log.Warning($"⚠️ Posición de {Symbol} no leída tras el paso {paso} ({error}); se reconcilia en el siguiente");

    /// <summary>A fill the session did not send (manual trade, liquidation, ADL), between candles: the book is brought to
    /// the venue's position at once (the venue wins, as at step G) and one registro row says why, naming the order. It
    /// is not a step: <c>paso</c> is the last step's and nothing is decided.</summary>
    private async Task RecordVenueEventAsync(VenueEvent e)
    {
        var detail = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{e.Reason}: {(e.Side == OrderSide.Buy ? "BUY" : "SELL")} {e.Quantity:R} {e.Symbol} @ {e.Price:R} (orden {e.OrderId}, '{e.ClientOrderId}')");
        if (!string.Equals(e.Symbol, Symbol, StringComparison.OrdinalIgnoreCase) || _venue is null || _lastSeen is not { } candle)
        {
            _log.Warning($"👤 Evento del venue fuera de esta sesión: {detail}");
            return;
        }
        var price = e.Price > 0 && double.IsFinite(e.Price) ? e.Price : Progress.LastPrice;
        if (!(price > 0)) return;
        _log.Warning($"👤 Evento del venue: {detail}; el libro sigue al venue");
        _reconciliation = null;
        // The row first (an event is recorded as it happens), then the protective stop follows the new position.
        var error = await _p.Venue.ReconcileAsync(_venue, price, _p.Venue.EventCommission(e, _log), CancellationToken.None).ConfigureAwait(false);
        var record = (_reconciliation ?? new OperationRecord()) with
        {
            ActionType = VenueEventActionType,
            Operation = e.Reason,
            Success = error is null,
            Error = error is null ? detail : $"{detail} · posición no leída: {error}",
        };
        _reconciliation = null;
        WriteRow(Progress.Steps, e.Time, candle, float.NaN, price, record, e.ClientOrderId, countsAsStep: false);
        if (e.Kind == VenueEventKind.ProtectiveStop)
            // The exchange-resident stop closed the position: the limit was reached between candles. Recorded, latched, stopped.
            _haltedBy = await EmergencyAsync(detail, candle, price, e.Time).ConfigureAwait(false);
        else
            await _p.Venue.AfterDecisionAsync(_venue, CancellationToken.None).ConfigureAwait(false); // the stop follows the new position
    }

    /// <summary>The exchange stop's trigger, found by step B: recorded as the venue event it is (row, emergencias, latch).</summary>
    private async Task<string?> StopEndedAsync(VenueEvent stopped)
    {
        await RecordVenueEventAsync(stopped).ConfigureAwait(false);
        return _haltedBy;
    }

    /// <summary>Step E for the policy's output: finite, within [-1, 1] up to float rounding (then clamped), or refused.</summary>
    public static (float Action, string? Denial) ValidateAction(float raw)
    {
        if (!float.IsFinite(raw) || Math.Abs(raw) > 1f + ActionTolerance) return (float.IsFinite(raw) ? raw : float.NaN, $"accion_invalida: {raw.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");
        return (Math.Clamp(raw, -1f, 1f), null);
    }

    /// <summary>Step E for the plan: what may not go out. HALTED denies anything that adds exposure.</summary>
    private string? ValidatePlan(OrderPlan plan)
    {
        if (!(plan.Quantity > 0) || !double.IsFinite(plan.Quantity)) return $"cantidad_invalida: {plan.Quantity}";
        if (!_latch.Allows(plan.ReduceOnly)) return $"trading_halted: {_latch.Reason}";
        return null;
    }

    /// <summary>A definite answer from the venue that a retry cannot change: for an order that adds exposure, or a
    /// reduce-only order with nothing left to reduce (-2022), the operation is rejected and the session goes on.</summary>
    public static bool IsDefiniteRejection(ExchangeError error, OrderPlan plan) =>
        error.Kind is ExchangeErrorKind.Rejected or ExchangeErrorKind.InsufficientBalance
        && (!plan.ReduceOnly || error.Code == -2022);

    private static OperationRecord Refused(string actionType, string operation, string error) =>
        new() { ActionType = actionType, Operation = operation, Success = false, Error = error };

    private static OperationRecord Skipped(string error) =>
        new() { ActionType = SkippedActionType, Operation = SkippedActionType, Success = false, Error = error };

    private void WriteRow(int paso, DateTimeOffset time, Candle candle, float action, double price, OperationRecord op, string? clientOrderId,
        bool orderFilled = false, bool tradeClosed = false, bool countsAsStep = true)
    {
        var book = _p.Book;
        var pos = book.Position;
        var row = new RegistroRow
        {
            Timestamp = time,
            Paso = paso,
            Action = action,
            Precio = price,
            Balance = book.Balance,
            Equity = book.Equity(price),
            MaxDrawdown = book.MaxDrawdown(price),
            PnlTotal = book.PnlTotal,
            PosicionAbierta = pos is not null,
            TipoPosicionActiva = pos?.Side.ToReferenceName(),
            PrecioEntradaActiva = pos?.EntryPrice,
            CantidadActiva = pos?.Quantity,
            PnlNoRealizado = pos is null ? null : book.UnrealizedPnl(price),
            TipoAccion = op.ActionType,
            Operacion = op.Operation ?? OperationNames.Hold,
            Resultado = op.Success ?? true,
            Error = op.Error,
            TradeId = op.TradeId,
            Cantidad = op.Quantity ?? op.ReducedQuantity, // the reference's cantidad (an increase: the new total)
            PrecioEntrada = op.EntryPrice,
            Comision = op.Commission,
            OpenTime = candle.OpenTimeUtc,
            PnlRealizado = op.RealizedPnl ?? op.PartialPnl,
            ClientOrderId = clientOrderId,
            EstadoTrading = Progress.TradingStateText,
            ComisionActivo = _rowFill?.CommissionInAsset, // binance: raw commission and its asset
            ComisionMoneda = _rowFill?.CommissionAsset,
        };
        _rowFill = null; // binance
        // The row is on disk before anyone hears of it; the step counts once it is.
        _p.Registro.Write(row);
        Progress.LastRow = row;
        if (!countsAsStep) return; // a venue event's row: between steps, not a decision
        Progress.Steps = paso;
        Progress.LastOperation = row.Operacion;
        var recorded = new StepRecorded(row, orderFilled, tradeClosed);
        foreach (var o in _observers) o.OnStep(recorded, Progress);
    }

    private Task<SessionEnd> OnRequestAsync(ControlRequest request, Candle candle, bool atLastClose)
    {
        if (SessionStateText.ParseCommand(request.Command) == ControlCommand.Stop)
        {
            _log.Warning($"⏹️ Parada solicitada por {request.RequestedBy}: {request.Reason}");
            return Task.FromResult(new SessionEnd(SessionStopReason.OperatorStop, $"parada_operador: {request.Reason} ({request.RequestedBy})"));
        }
        return OperatorEmergencyAsync(request, candle, atLastClose);
    }

    /// <summary>An operator's emergency request: at a new candle's close, or (<paramref name="atLastClose"/>) while
    /// waiting for one, at the last close seen and the current time.</summary>
    private async Task<SessionEnd> OperatorEmergencyAsync(ControlRequest request, Candle candle, bool atLastClose)
    {
        var price = _p.Venue.PriceOf(candle);
        Progress.LastPrice = price;
        var time = atLastClose ? VenueNow(candle) : candle.OpenTimeUtc.AddMilliseconds(IntervalMs);
        if (!atLastClose) Progress.LastCandle = candle.OpenTimeUtc;
        var reason = await EmergencyAsync($"solicitud_operador: {request.Reason} ({request.RequestedBy})", candle, price, time).ConfigureAwait(false);
        // The acknowledgement Invoke-AfmlEmergency waits for (a failed write must not end the session's stop).
        if (Progress.Emergency is { } outcome)
            Guarded("acuse de la emergencia", () => SessionControl.Acknowledge(_p.Status.Path, ControlAck.For(request, _p.SessionId, outcome, _time.GetUtcNow())));
        return new(SessionStopReason.Emergency, reason);
    }

    /// <summary>The venue's clock between candles: the last close plus the time since that candle arrived, before the
    /// next close. Rows carry the venue's time (a fake or replay clock may be years from the wall clock).</summary>
    private DateTimeOffset VenueNow(in Candle last)
    {
        var close = last.OpenTimeUtc.AddMilliseconds(IntervalMs);
        var since = _time.GetUtcNow() - _lastSeenAt;
        return close + TimeSpan.FromTicks(Math.Clamp(since.Ticks, 0, TimeSpan.FromMilliseconds(IntervalMs - 1).Ticks));
    }

    /// <summary>The emergency protocol on a fault that ended the loop (an exception from any part): at the last
    /// close seen, now. Returns the reason recorded.</summary>
    public Task<string> EmergencyOnFaultAsync(string reason)
    {
        var candle = _lastSeen;
        var price = Progress.LastPrice > 0 ? Progress.LastPrice : candle is { } c ? _p.Venue.PriceOf(c) : 0;
        return EmergencyAsync(reason, candle, price, _time.GetUtcNow());
    }

    /// <summary>Cancel, close, record, halt. The venue is acted on first; each file written after it is written on
    /// its own, so a full disk cannot keep the protocol from flattening nor one file from the other. The step gets
    /// a registro row of its own (action empty, <c>tipo_accion</c> = emergencia) so the file ends with the book as
    /// the protocol left it.</summary>
    private async Task<string> EmergencyAsync(string reason, Candle? candle, double price, DateTimeOffset time)
    {
        _latch.Halt(reason, _time.GetUtcNow());
        _log.Error($"🚨 PROTOCOLO DE EMERGENCIA: {reason}");
        // The durable HALTED latch first: a crash during the protocol still leaves the training halted. Only where
        // money is at stake: a replay or paper session that hits its limit halts itself, but must not keep the
        // training from a later backtest, the demo from running again, or (worse) stand in for a real venue's latch.
        var latches = _p.Venue.HoldsRealPositions;
        if (latches) Guarded("bloqueo HALTED", () => WriteHaltLatch(reason, null));
        // The protocol that finishes: retried with back-off while the venue is unreachable, every attempt logged.
        var protocol = new EmergencyProtocol(_p.Exchange, _time, _emergencyOptions);
        var clientOrderId = _orderIds.For(Progress.Steps + 1); // the protocol adds "-em"
        var outcome = await protocol.RunAsync(Symbol, reason, clientOrderId, price, CancellationToken.None,
            a => _log.Write(a.Success ? SessionLogLevel.Info : SessionLogLevel.Warning, $"🚨 Emergencia {a}")).ConfigureAwait(false);
        Progress.Emergency = outcome;
        if (latches) Guarded("bloqueo HALTED", () => WriteHaltLatch(reason, outcome));
        // Flat: the protective stop has nothing left to guard (a stop left on a flat account could close a future position).
        if (_venue is not null)
        {
            try { await _p.Venue.AfterEmergencyAsync(_venue, outcome.Complete, CancellationToken.None).ConfigureAwait(false); }
            catch (Exception ex) { _log.Error($"❌ Stop de protección no cancelado tras la emergencia: {ex.GetType().Name}: {ex.Message}"); }
        }
        // The book follows the venue: whatever was open is closed (verified flat), at the venue's fill and cost.
        var record = new OperationRecord { ActionType = EmergencyActionType, Operation = EmergencyActionType, Success = outcome.Complete, Error = reason };
        var closedTrade = false;
        if (_p.Book.Position is { } open && (outcome.PositionsClosed > 0 || outcome.Complete) && price > 0)
        {
            var close = _p.Book.Plan(new TradeDecision(open.Side == PositionSide.Long ? TradeIntent.CloseLong : TradeIntent.CloseShort, 1f, 0f), price);
            if (close.HasOrder)
            {
                var fill = outcome.CloseFill;
                _rowFill = fill; // binance: commission asset detail for the row
                var rec = fill is { AveragePrice: > 0 }
                    ? _p.Book.Apply(close, fill.AveragePrice, close.Quantity, _p.Venue.CostOf(fill, _log))
                    : _p.Book.Apply(close, price, close.Quantity);
                record = rec with { ActionType = EmergencyActionType, Success = outcome.Complete, Error = reason };
                closedTrade = true;
            }
        }
        if (candle is { } c && price > 0)
            Guarded("registro", () => WriteRow(Progress.Steps + 1, time, c, float.NaN, price, record,
                outcome.PositionsClosed > 0 ? EmergencyProtocol.CloseOrderId(clientOrderId) : null, closedTrade, closedTrade));
        var details = outcome.Describe(); // FLAT… or EMERGENCY_INCOMPLETE: what is still open
        var equity = price > 0 ? _p.Book.Equity(price) : _p.Book.Balance;
        Guarded("emergencias", () => _p.Emergencies.Write(new EmergencyRecord(time, reason, _p.Book.Balance, equity, outcome.PositionsClosed, details)));
        _log.Write(outcome.Complete ? SessionLogLevel.Warning : SessionLogLevel.Error,
            $"🛑 Emergencia registrada en {_p.Emergencies.Path}: {outcome.PositionsClosed} posición(es) cerrada(s), {outcome.OrdersCancelled} orden(es) cancelada(s) · {details}. El sistema se detiene y no se reinicia solo.");
        return reason;
    }

    /// <summary>The training's durable HALTED latch (<see cref="TrainingHaltLatch"/>): a later start refuses it until
    /// Reset-AfmlEmergency.</summary>
    private void WriteHaltLatch(string reason, EmergencyOutcome? outcome) =>
        new TrainingHaltLatch(_p.Folder.ProductionDir).Write(new HaltRecord
        {
            HaltedAt = _time.GetUtcNow(),
            Reason = reason,
            TrainId = _p.Config.TrainId,
            SessionId = _p.SessionId,
            Venue = _p.Exchange.Name,
            Symbol = Symbol,
            EmergencyState = outcome?.State,
            StillOpen = outcome?.StillOpen,
            HaltedBy = $"session {_p.SessionId} (process {Environment.ProcessId})",
        });

    /// <summary><c>-FlattenOnStop</c>: a clean end closes the book's position with a reduce-only order booked as a
    /// final row. Returns the emergency reason when that close kept failing (the protocol then ran).</summary>
    public async Task<string?> FlattenAsync()
    {
        if (_p.Book.Position is not { } open || _lastSeen is not { } candle || _sizer is null) return null;
        var price = Progress.LastPrice > 0 ? Progress.LastPrice : _p.Venue.PriceOf(candle);
        var plan = _p.Book.Plan(new TradeDecision(open.Side == PositionSide.Long ? TradeIntent.CloseLong : TradeIntent.CloseShort, 1f, 0f), price);
        if (!plan.HasOrder) return null;
        var paso = Progress.Steps + 1;
        var clientOrderId = _orderIds.For(paso, "fin");
        var quantity = _sizer.Size(plan.Quantity, reduceOnly: true, price, 0) is { Skipped: false } s ? s.Quantity : plan.Quantity;
        _log.Warning($"🔚 -FlattenOnStop: cerrando la posición {open.Side.ToReferenceName()} {quantity.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} {Symbol}");
        var request = new MarketOrderRequest(Symbol, plan.Side!.Value, quantity, ReduceOnly: true, clientOrderId, price);
        var fill = await _retry.RunAsync(c => _p.Exchange.PlaceMarketOrderAsync(request, c), CancellationToken.None).ConfigureAwait(false);
        if (!fill.Success)
            return await EmergencyAsync($"fallo_cierre_final: {fill.Error}", candle, price, _time.GetUtcNow()).ConfigureAwait(false);
        var filled = fill.Data!.ExecutedQuantity > 0;
        var record = _p.Book.Apply(plan, filled ? fill.Data.AveragePrice : price, fill.Data.ExecutedQuantity,
            filled ? _p.Venue.CostOf(fill.Data, _log) : FillCost.Training) with { ActionType = FinalCloseActionType };
        await _p.Venue.AfterStepAsync(_venue!, price, CancellationToken.None).ConfigureAwait(false);
        WriteRow(paso, _time.GetUtcNow(), candle, float.NaN, price, record, clientOrderId, filled, filled);
        return null;
    }

    private void Guarded(string what, Action write)
    {
        try { write(); }
        catch (Exception ex) { _log.Error($"❌ No se pudo escribir {what} durante la emergencia: {ex.GetType().Name}: {ex.Message}"); }
    }

    private static string OperationName(OrderPlan plan) => plan.Step switch
    {
        BookStep.Open => plan.Intent == TradeIntent.OpenLong ? OperationNames.OpenLong : OperationNames.OpenShort,
        BookStep.Increase => OperationNames.Increase,
        BookStep.Reduce => OperationNames.PartialReduction,
        BookStep.Close => OperationNames.FullClose,
        _ => OperationNames.Hold,
    };
}
