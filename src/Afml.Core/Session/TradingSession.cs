using System.Globalization;
using System.Threading.Channels;
using Afml.Core.Agent;
using Afml.Core.Configuration;
using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;
using Afml.Core.Features;
using Afml.Core.MarketData;
using Afml.Core.Portfolio;
using Afml.Core.Recording;
using Afml.Core.Risk;

namespace Afml.Core.Session;

/// <summary>Everything one session is made of; built by <see cref="SessionFactory"/>, owned (and disposed) by it.</summary>
/// <param name="TrainingPrices">Book and simulated fills at the close rounded to float32, exactly as the training
/// env saw prices (its frame is float32). Replay uses it so a replay reproduces the env to the last bit; live
/// venues book real fills.</param>
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
    RegistroWriter Registro,
    EmergencyWriter Emergencies,
    SessionStatusFile Status,
    int? MaxSteps,
    int? ExpectedSteps,
    bool TrainingPrices = false,
    bool VenueBook = false,
    string? OrderTag = null)
{
    /// <summary>What makes this session's client order ids its own (<c>afml-&lt;tag&gt;-&lt;step&gt;</c>): the session stamp
    /// plus a hash of the training and the process, so two sessions started in the same second on one account (two
    /// trainings, a quick restart) never share an id, and an order lookup can never find another session's order.</summary>
    public string ClientOrderTag => OrderTag ?? SessionId;
}

/// <summary>
/// The one session loop, for every venue. Warm-up on history, then for each closed candle:
/// A account state · B drawdown · C observation · D action · E validation · F execution · G state · H registro.
/// Single-threaded: the feed and the venue are awaited in turn; nothing else mutates the book.
/// </summary>
public sealed class TradingSession
{
    private readonly SessionParts _p;
    private readonly TimeProvider _time;
    private readonly ChannelWriter<SessionEvent> _events;
    private readonly OperationRetry _retry;
    private readonly TradingStateLatch _latch = new();
    private readonly ActionInterpreter _interpreter;
    private readonly DrawdownRule _drawdown;
    private readonly double[] _featureRow;
    private readonly float[] _market;
    private readonly float[] _portfolio = new float[PortfolioFeatures.Count];
    private readonly Dictionary<string, int> _operations = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _startedAt;
    private int _steps;
    private int _ordersFilled;
    private int _tradesClosed;
    private int _winningTrades;
    private double _lastPrice;
    private DateTimeOffset? _firstCandle;
    private DateTimeOffset? _lastCandle;
    private float _lastAction;
    private string? _lastOperation;
    private OrderFill? _rowFill; // binance: the venue fill whose commission detail the next registro row carries
    private OrderSizer? _sizer;
    private Candle? _lastSeen;
    private int _reconciliations;

    public TradingSession(SessionParts parts, TimeProvider time, ChannelWriter<SessionEvent> events, OperationRetry? retry = null)
    {
        _p = parts;
        _time = time;
        _events = events;
        _retry = retry ?? new OperationRetry(time);
        _interpreter = new ActionInterpreter(parts.Config.Environment.HoldThreshold);
        _drawdown = new DrawdownRule(parts.Config.Environment.MaxDrawdown);
        _featureRow = new double[parts.Features.FeatureCount];
        _market = new float[parts.Policy.Shape.MarketLength];
        _startedAt = time.GetUtcNow();
    }

    private string Symbol => _p.Config.Market.Symbol;
    private long IntervalMs => _p.Config.Market.Interval.Milliseconds;

    /// <summary>Runs to the end of the feed, <c>MaxSteps</c>, an emergency, or cancellation; returns the statistics.</summary>
    public async Task<SessionSummary> RunAsync(CancellationToken ct)
    {
        var stop = SessionStopReason.Completed;
        string? detail = null;
        try
        {
            Log(SessionLogLevel.Info, $"🚀 Iniciando sesión {_p.SessionId} · {_p.Config.TrainId} · {Symbol} {_p.Config.Market.Interval} · venue {_p.Exchange.Name}{(_p.Exchange.IsLive ? " (LIVE: dinero real)" : "")}");
            using var control = new ControlWatcher(_p.Status.Path, _time);
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(ct, control.Token);
            try
            {
                await PrepareAsync(ct).ConfigureAwait(false);
            }
            catch (AfmlException ex)
            {
                // Get-AfmlStatus -All shows why a session never started trading.
                WriteStatus("Failed", $"{ex.ErrorId}: {ex.Message}");
                throw;
            }
            WriteStatus("Running", null);
            try
            {
                await foreach (var candle in _p.Feed.StreamClosedCandlesAsync(waiting.Token).ConfigureAwait(false))
                {
                    if (!Warm(candle))
                    {
                        Log(SessionLogLevel.Debug, $"Vela {candle.OpenTimeUtc:O}: calentando indicadores, sin decisión");
                        continue;
                    }
                    var emergency = control.Poll() is { Command: ControlRequest.Emergency } request
                        ? await OperatorEmergencyAsync(request, candle, ct).ConfigureAwait(false)
                        : await StepAsync(candle, ct).ConfigureAwait(false);
                    if (emergency is not null)
                    {
                        stop = SessionStopReason.Emergency;
                        detail = emergency;
                        break;
                    }
                    if (_p.MaxSteps is { } max && _steps >= max)
                    {
                        stop = SessionStopReason.MaxSteps;
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && control.Pending is { Command: ControlRequest.Emergency } request && _lastSeen is { } last)
            {
                // The request arrived while waiting for a candle: act now, at the last known close.
                stop = SessionStopReason.Emergency;
                detail = await OperatorEmergencyAsync(request, last, ct, atLastClose: true).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            stop = SessionStopReason.Cancelled;
            detail = "detenido por el usuario (Ctrl+C)";
            Log(SessionLogLevel.Warning, "⏹️ Sesión detenida por el usuario");
            if (_p.Book.Position is { } pos)
                Log(SessionLogLevel.Warning, $"La posición {pos.Side.ToReferenceName()} (trade {pos.TradeId}) sigue abierta; Invoke-AfmlEmergency la cierra.");
        }
        var summary = Summarize(stop, detail);
        WriteStatus("Stopped", stop.ToString());
        LogStatistics(summary);
        return summary;
    }

    private async Task PrepareAsync(CancellationToken ct)
    {
        var history = await _p.Feed.LoadHistoryAsync(ct).ConfigureAwait(false);
        foreach (var c in history) Warm(c);
        Log(SessionLogLevel.Info, $"📥 Historial: {history.Count} velas para calentar indicadores (ventana {_p.Observation.Window}, {_p.Features.FeatureCount} features)");
        var leverage = (int)Math.Ceiling(_p.Config.Portfolio.Leverage);
        var lev = await _retry.RunAsync(c => _p.Exchange.SetLeverageAsync(Symbol, leverage, c), ct).ConfigureAwait(false);
        if (!lev.Success) throw StartFailure(lev.Error!, "LeverageFailed", AfmlErrorCategory.InvalidOperation, $"Setting leverage {leverage} on {Symbol} failed: {lev.Error}", Symbol);
        var rules = await _retry.RunAsync(c => _p.Exchange.GetSymbolRulesAsync(Symbol, c), ct).ConfigureAwait(false);
        if (!rules.Success) throw StartFailure(rules.Error!, "SymbolRulesFailed", AfmlErrorCategory.InvalidOperation, $"Reading the trading rules of {Symbol} failed: {rules.Error}", Symbol);
        _sizer = new OrderSizer(rules.Data!, _p.Config.Portfolio.Leverage, _p.Config.Portfolio.Commission);
        if (_p.VenueBook) await CheckVenueAccountAsync(history, ct).ConfigureAwait(false);
    }

    /// <summary>A real venue at start: the account must carry the allocated capital, and a position found open
    /// (a restart, a manual trade) is adopted by the book before the first decision.</summary>
    private async Task CheckVenueAccountAsync(IReadOnlyList<Candle> history, CancellationToken ct)
    {
        var account = await _retry.RunAsync(c => _p.Exchange.GetAccountAsync(c), ct).ConfigureAwait(false);
        if (!account.Success) throw StartFailure(account.Error!, "AccountUnavailable", AfmlErrorCategory.ConnectionError, $"Reading the account failed: {account.Error}", _p.Exchange.Name);
        var position = await _retry.RunAsync(c => _p.Exchange.GetPositionAsync(Symbol, c), ct).ConfigureAwait(false);
        if (!position.Success) throw StartFailure(position.Error!, "ReconciliationFailed", AfmlErrorCategory.InvalidOperation, $"Reading the {Symbol} position failed: {position.Error}", Symbol);

        var capital = _p.Book.Settings.InitialCapital;
        Log(SessionLogLevel.Info, string.Create(CultureInfo.InvariantCulture,
            $"💼 Cuenta {_p.Exchange.Name}: balance {account.Data!.WalletBalance:F2} USDT, disponible {account.Data.AvailableBalance:F2} · capital asignado {capital:F2}"));
        // Flat, the capital must fit in the available balance; onto an open position, part of it is locked as that
        // position's margin, so it must fit in the account's equity.
        var open = position.Data!.Quantity != 0;
        var carry = open ? account.Data.MarginBalance : account.Data.AvailableBalance;
        if (carry < capital)
            throw new AfmlException("CapitalNotAvailable", AfmlErrorCategory.InvalidArgument, string.Create(CultureInfo.InvariantCulture,
                $"The allocated capital {capital:F2} USDT exceeds the account's {(open ? $"equity (an open {Symbol} position locks margin)" : "available balance")} {carry:F2} USDT on {_p.Exchange.Name}; pass a smaller -Capital."), "Capital");
        if (history.Count > 0) Reconcile(position.Data, history[^1].Close);
    }

    /// <summary>A venue call at start failed. A rejected key or signature is the operator's to fix, not a leverage
    /// or account problem: say so, naming the variables the credentials come from (never their values).</summary>
    private AfmlException StartFailure(ExchangeError error, string errorId, AfmlErrorCategory category, string message, string target)
    {
        if (error.Kind != ExchangeErrorKind.Unauthorized) return new AfmlException(errorId, category, message, target);
        var (key, secret) = Exchange.Binance.BinanceCredentials.VariableNames(testnet: !_p.Exchange.IsLive);
        return new AfmlException("CredentialsRejected", AfmlErrorCategory.AuthenticationError,
            $"{_p.Exchange.Name} rejected the API credentials ({error}); check {key} and {secret} (or the -Credential given).", key);
    }

    /// <summary>Step G for venues that can disagree with the book: the venue's position wins. Returns the venue
    /// error when the position could not be read.</summary>
    private async Task<ExchangeError?> ReconcileAsync(double price, CancellationToken ct)
    {
        var position = await _retry.RunAsync(c => _p.Exchange.GetPositionAsync(Symbol, c), ct).ConfigureAwait(false);
        if (!position.Success) return position.Error;
        Reconcile(position.Data!, price);
        return null;
    }

    private void Reconcile(PositionSnapshot venue, double price)
    {
        var step = _sizer!.Rules.MarketLotStep;
        var tolerance = step > 0 ? (double)step / 2 : 1e-12;
        if (_p.Book.Reconcile(venue.Quantity, venue.EntryPrice, price, tolerance) is { } record)
        {
            _reconciliations++;
            Log(SessionLogLevel.Warning, $"⚖️ {record.Error}");
        }
    }

    /// <summary>An operator's emergency request: at a new candle's close, or (<paramref name="atLastClose"/>) while
    /// waiting for one, at the last close seen and the current time.</summary>
    private Task<string> OperatorEmergencyAsync(ControlRequest request, Candle candle, CancellationToken ct, bool atLastClose = false)
    {
        var price = _p.TrainingPrices ? (float)candle.Close : candle.Close;
        _lastPrice = price;
        var time = atLastClose ? _time.GetUtcNow() : candle.OpenTimeUtc.AddMilliseconds(IntervalMs);
        if (!atLastClose) _lastCandle = candle.OpenTimeUtc;
        return EmergencyAsync($"solicitud_operador: {request.Reason} ({request.RequestedBy})", candle, price, time, ct);
    }

    /// <summary>Features and the observation window; true when a decision can be made on this candle.</summary>
    private bool Warm(in Candle candle)
    {
        _lastSeen = candle;
        var complete = _p.Features.Update(candle, _featureRow);
        if (complete) _p.Observation.Push(_featureRow);
        return complete && _p.Observation.IsReady;
    }

    /// <summary>One decision; returns the emergency reason when the protocol ran.</summary>
    private async Task<string?> StepAsync(Candle candle, CancellationToken ct)
    {
        var price = _p.TrainingPrices ? (float)candle.Close : candle.Close;
        var decisionTime = candle.OpenTimeUtc.AddMilliseconds(IntervalMs);
        _lastPrice = price;
        _firstCandle ??= candle.OpenTimeUtc;
        _lastCandle = candle.OpenTimeUtc;
        var paso = _steps + 1;
        Log(SessionLogLevel.Info, $"📊 PASO {paso} - {decisionTime:yyyy-MM-ddTHH:mm:ss}");
        _p.Book.OnNewCandle();

        // A. account state
        if (_p.Exchange is IPriceDriven priced) priced.OnPrice(Symbol, price);
        var account = await _retry.RunAsync(c => _p.Exchange.GetAccountAsync(c), CancellationToken.None).ConfigureAwait(false);
        if (!account.Success) return await EmergencyAsync($"fallo_estado_cuenta: {account.Error}", candle, price, decisionTime, ct).ConfigureAwait(false);

        // B. drawdown
        var drawdown = _p.Book.MaxDrawdown(price);
        if (_drawdown.Check(drawdown) is { } breach) return await EmergencyAsync(breach, candle, price, decisionTime, ct).ConfigureAwait(false);

        // C. observation
        _p.Observation.CopyMarket(_market);
        PortfolioFeatures.Compute(_p.Book, price, _p.Book.Settings.InitialCapital, _p.Config.Environment.NormalizePortfolio, _portfolio);

        // D. action
        var action = _p.Policy.Predict(_market, _portfolio);
        _lastAction = action;

        // E. validation
        var decision = _interpreter.Interpret(action, _p.Book.Position?.Side);
        var plan = _p.Book.Plan(decision, price);
        var clientOrderId = ClientOrderIds.For(_p.ClientOrderTag, paso);
        OperationRecord record;
        string? orderId = null;
        var denial = Validate(plan, action);
        var sized = plan.HasOrder && denial is null ? _sizer!.Size(plan.Quantity, plan.ReduceOnly, price, account.Data!.AvailableBalance) : default;
        if (denial is not null)
        {
            record = new OperationRecord { ActionType = decision.ActionType, Operation = OperationName(plan), Success = false, Error = denial };
            Log(SessionLogLevel.Warning, $"⛔ Acción rechazada: {denial}");
        }
        else if (!plan.HasOrder)
        {
            record = plan.Record!;
        }
        else if (sized.Skipped)
        {
            record = new OperationRecord { ActionType = decision.ActionType, Operation = OperationName(plan), Success = false, Error = sized.SkipReason };
            Log(SessionLogLevel.Warning, $"⏭️ Orden omitida: {sized.SkipReason}");
        }
        else
        {
            // F. execution (not cancelled by Ctrl+C: a step that sent an order always books its outcome)
            var request = new MarketOrderRequest(Symbol, plan.Side!.Value, sized.Quantity, plan.ReduceOnly, clientOrderId, price);
            orderId = clientOrderId;
            var fill = await _retry.RunAsync(c => _p.Exchange.PlaceMarketOrderAsync(request, c), CancellationToken.None,
                (attempt, error) => Log(SessionLogLevel.Warning, $"🔁 Reintento {attempt}/{_retry.Attempts} de la orden {clientOrderId}: {error}")).ConfigureAwait(false);
            if (!fill.Success)
            {
                record = new OperationRecord { ActionType = decision.ActionType, Operation = OperationName(plan), Success = false, Error = fill.Error!.ToString() };
                Log(SessionLogLevel.Error, $"❌ Operación fallida tras {_retry.Attempts} intentos: {fill.Error}");
                WriteRow(paso, decisionTime, candle, action, price, record, orderId);
                return await EmergencyAsync($"fallo_operacion: {fill.Error}", candle, price, decisionTime, ct).ConfigureAwait(false);
            }
            var filled = fill.Data!.ExecutedQuantity > 0;
            _rowFill = fill.Data; // binance: commission asset detail for the row
            record = _p.Book.Apply(plan, filled ? fill.Data.AveragePrice : price, fill.Data.ExecutedQuantity, _p.VenueBook ? fill.Data.Commission : null);
            if (filled) _ordersFilled++;
            if (plan.Step == BookStep.Close)
            {
                _tradesClosed++;
                if (record.RealizedPnl > 0) _winningTrades++;
            }
        }
        var operation = record.Operation ?? OperationNames.Hold;
        _lastOperation = operation;
        Log(SessionLogLevel.Info, string.Create(CultureInfo.InvariantCulture, $"🤖 Acción del agente: {action:F4} → {operation}"));
        if (plan.HasOrder && record.Success == true)
            Log(SessionLogLevel.Info, $"✅ Operación ejecutada: {{'trade_id': {record.TradeId}, 'cantidad': {Fmt(record.AddedQuantity ?? record.ReducedQuantity ?? record.Quantity)}}}");
        else if (record.Success == false && denial is null)
            Log(SessionLogLevel.Warning, $"⚠️ Operación no realizada: {record.Error}");

        // G. state after execution: a real venue's position is the truth
        if (_p.VenueBook && await ReconcileAsync(price, CancellationToken.None).ConfigureAwait(false) is { } posError)
        {
            WriteRow(paso, decisionTime, candle, action, price, record, orderId);
            return await EmergencyAsync($"fallo_estado_posicion: {posError}", candle, price, decisionTime, ct).ConfigureAwait(false);
        }

        // H. one registro row
        var row = WriteRow(paso, decisionTime, candle, action, price, record, orderId);
        Log(SessionLogLevel.Info, string.Create(CultureInfo.InvariantCulture,
            $"💰 Equity: {row.Equity:F2} | Drawdown: {row.MaxDrawdown * 100:F1}% | Posición: {(row.PosicionAbierta ? "True" : "False")}"));
        return null;
    }

    /// <summary>Step E: what may not go out. HALTED denies anything that adds exposure.</summary>
    private string? Validate(OrderPlan plan, float action)
    {
        if (!float.IsFinite(action) || action is < -1f or > 1f) return $"accion_invalida: {action}";
        if (!plan.HasOrder) return null;
        if (!(plan.Quantity > 0) || !double.IsFinite(plan.Quantity)) return $"cantidad_invalida: {plan.Quantity}";
        if (!_latch.Allows(plan.ReduceOnly)) return $"trading_halted: {_latch.Reason}";
        return null;
    }

    private RegistroRow WriteRow(int paso, DateTimeOffset time, Candle candle, float action, double price, OperationRecord op, string? clientOrderId)
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
            Cantidad = TradedQuantity(op),
            PrecioEntrada = op.EntryPrice,
            Comision = op.Commission,
            OpenTime = candle.OpenTimeUtc,
            PnlRealizado = op.RealizedPnl ?? op.PartialPnl,
            ClientOrderId = clientOrderId,
            EstadoTrading = _latch.State.ToString().ToUpperInvariant(),
            ComisionActivo = _rowFill?.CommissionInAsset, // binance: raw commission and its asset
            ComisionMoneda = _rowFill?.CommissionAsset,
        };
        _rowFill = null; // binance
        _p.Registro.Write(row);
        _steps = paso;
        _operations[row.Operacion!] = _operations.GetValueOrDefault(row.Operacion!) + 1;
        _events.TryWrite(new SessionStep(_time.GetUtcNow(), row, paso, _p.ExpectedSteps));
        WriteStatus("Running", null);
        return row;
    }

    /// <summary>Cancel, close, record, halt. The step gets a registro row of its own (action empty,
    /// <c>tipo_accion</c> = emergencia) so the file ends with the book as the protocol left it.</summary>
    private async Task<string> EmergencyAsync(string reason, Candle candle, double price, DateTimeOffset time, CancellationToken ct)
    {
        _latch.Halt(reason, _time.GetUtcNow());
        Log(SessionLogLevel.Error, $"🚨 PROTOCOLO DE EMERGENCIA: {reason}");
        var protocol = new EmergencyProtocol(_p.Exchange, _retry);
        var clientOrderId = ClientOrderIds.For(_p.ClientOrderTag, _steps + 1); // the protocol adds "-em"
        var outcome = await protocol.RunAsync(Symbol, reason, clientOrderId, price, CancellationToken.None).ConfigureAwait(false);
        // The book follows the venue: whatever was open is closed, on a real venue at the close's fill price and
        // commission, else at this price as the training env would.
        var record = new OperationRecord { ActionType = EmergencyActionType, Operation = EmergencyActionType, Success = outcome.Complete, Error = reason };
        if (_p.Book.Position is { } open && outcome.PositionsClosed > 0)
        {
            var close = _p.Book.Plan(new TradeDecision(open.Side == PositionSide.Long ? TradeIntent.CloseLong : TradeIntent.CloseShort, 1f, 0f), price);
            if (close.HasOrder)
            {
                var venueFill = _p.VenueBook ? outcome.CloseFill : null;
                _rowFill = venueFill; // binance: commission asset detail for the row
                var rec = _p.Book.Apply(close, venueFill is { AveragePrice: > 0 } f ? f.AveragePrice : price, close.Quantity, venueFill?.Commission);
                _ordersFilled++;
                _tradesClosed++;
                if (rec.RealizedPnl > 0) _winningTrades++;
                record = rec with { ActionType = EmergencyActionType, Success = outcome.Complete, Error = reason };
            }
        }
        WriteRow(_steps + 1, time, candle, float.NaN, price, record, outcome.PositionsClosed > 0 ? EmergencyProtocol.CloseOrderId(clientOrderId) : null);
        var details = outcome.Complete ? "posiciones cerradas y órdenes canceladas" : string.Join("; ", outcome.Problems);
        _p.Emergencies.Write(new EmergencyRecord(time, reason, _p.Book.Balance, _p.Book.Equity(price), outcome.PositionsClosed, details));
        Log(outcome.Complete ? SessionLogLevel.Warning : SessionLogLevel.Error,
            $"🛑 Emergencia registrada en {_p.Emergencies.Path}: {outcome.PositionsClosed} posición(es) cerrada(s), {outcome.OrdersCancelled} orden(es) cancelada(s){(outcome.Complete ? "" : " · PROBLEMAS: " + details)}. El sistema se detiene y no se reinicia solo.");
        return reason;
    }

    /// <summary><c>tipo_accion</c> (and <c>operacion</c> when nothing was open) of the emergency protocol's row.</summary>
    public const string EmergencyActionType = "emergencia";

    private static string OperationName(OrderPlan plan) => plan.Step switch
    {
        BookStep.Open => plan.Intent == TradeIntent.OpenLong ? OperationNames.OpenLong : OperationNames.OpenShort,
        BookStep.Increase => OperationNames.Increase,
        BookStep.Reduce => OperationNames.PartialReduction,
        BookStep.Close => OperationNames.FullClose,
        _ => OperationNames.Hold,
    };

    /// <summary>The reference's <c>cantidad</c> (for an increase: the new total), else the reduced quantity.</summary>
    private static double? TradedQuantity(OperationRecord op) => op.Quantity ?? op.ReducedQuantity;

    private static string Fmt(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "None";

    private SessionSummary Summarize(SessionStopReason stop, string? detail)
    {
        var price = _lastPrice;
        return new SessionSummary
        {
            TrainId = _p.Config.TrainId,
            Venue = _p.Exchange.Name,
            Symbol = Symbol,
            Interval = _p.Config.Market.Interval.Text,
            StartedAt = _startedAt,
            EndedAt = _time.GetUtcNow(),
            StopReason = stop,
            StopDetail = detail,
            TradingState = _latch.State.ToString().ToUpperInvariant(),
            Steps = _steps,
            FirstCandle = _firstCandle,
            LastCandle = _lastCandle,
            InitialEquity = _p.Book.Settings.InitialCapital,
            FinalEquity = price > 0 ? _p.Book.Equity(price) : _p.Book.Balance,
            MaxDrawdown = price > 0 ? _p.Book.MaxDrawdown(price) : 0,
            PnlTotal = _p.Book.PnlTotal,
            OrdersFilled = _ordersFilled,
            TradesClosed = _tradesClosed,
            WinningTrades = _winningTrades,
            Reconciliations = _reconciliations,
            Operations = new Dictionary<string, int>(_operations),
            PositionOpen = _p.Book.Position is not null,
            RegistroPath = _p.Registro.Path,
            EmergencyPath = _p.Emergencies.Path,
        };
    }

    private void LogStatistics(SessionSummary s)
    {
        Log(SessionLogLevel.Info, "📈 ESTADÍSTICAS DE LA SESIÓN");
        Log(SessionLogLevel.Info, string.Create(CultureInfo.InvariantCulture,
            $"   Pasos: {s.Steps} | Órdenes: {s.OrdersFilled} | Trades cerrados: {s.TradesClosed} (ganadores {s.WinningTrades})"));
        Log(SessionLogLevel.Info, string.Create(CultureInfo.InvariantCulture,
            $"   Equity: {s.InitialEquity:F2} → {s.FinalEquity:F2} ({s.ReturnPct:+0.00;-0.00}%) | PnL realizado: {s.PnlTotal:F2} | Max drawdown: {s.MaxDrawdown * 100:F2}%"));
        Log(SessionLogLevel.Info, $"   Fin: {s.StopReason}{(s.StopDetail is null ? "" : " · " + s.StopDetail)} | Estado: {s.TradingState}");
        Log(SessionLogLevel.Info, $"📁 Registro: {s.RegistroPath}");
        if (s.EmergencyPath is not null) Log(SessionLogLevel.Info, $"📁 Emergencias: {s.EmergencyPath}");
    }

    private void WriteStatus(string state, string? stopReason)
    {
        var pos = _p.Book.Position;
        var price = _lastPrice;
        _p.Status.Write(new SessionStatus
        {
            SessionId = _p.SessionId,
            TrainId = _p.Config.TrainId,
            Venue = _p.Exchange.Name,
            Symbol = Symbol,
            ProcessId = Environment.ProcessId,
            State = state,
            TradingState = _latch.State.ToString().ToUpperInvariant(),
            StartedAt = _startedAt,
            UpdatedAt = _time.GetUtcNow(),
            Step = _steps,
            LastCandle = _lastCandle,
            Price = price,
            Equity = price > 0 ? _p.Book.Equity(price) : _p.Book.Balance,
            Balance = _p.Book.Balance,
            Drawdown = price > 0 ? _p.Book.MaxDrawdown(price) : 0,
            MaxDrawdownAllowed = _drawdown.MaxDrawdown,
            Position = pos?.Side.ToReferenceName(),
            PositionQuantity = pos?.Quantity ?? 0,
            LastAction = _lastAction,
            LastOperation = _lastOperation,
            StopReason = stopReason,
            RegistroPath = _p.Registro.Path,
            EmergencyPath = _p.Emergencies.Path,
        });
    }

    private void Log(SessionLogLevel level, string message) => _events.TryWrite(new SessionLog(_time.GetUtcNow(), level, message));
}

/// <summary>A venue that marks its positions at the session's prices (the simulated one).</summary>
public interface IPriceDriven
{
    void OnPrice(string symbol, double price);
}
