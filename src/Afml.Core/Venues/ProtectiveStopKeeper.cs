using System.Globalization;
using Afml.Core.Exchange;
using Afml.Core.Portfolio;
using Afml.Core.Risk;

namespace Afml.Core.Venues;

/// <summary>What the exchange-resident guard is built from: the training's limit and costs, and where its durable files live.</summary>
/// <param name="SlippageMargin">How much worse than the trigger the stop's fill is allowed for (default: the training's slippage).</param>
public sealed record ProtectiveStopSettings(double MaxDrawdown, double CommissionRate, double SlippageMargin, string ProductionDir, string TrainId)
{
    /// <summary>The account's fingerprint (<see cref="Session.SessionLock.AccountHash"/>), recorded in the
    /// guard file; a guard of another account is refused. Null: not checked.</summary>
    public string? Account { get; init; }

    /// <summary>How long the keeper waits before trying again after Binance refused the stop because a close-all stop
    /// nobody here placed rests in the same direction (-4130); doubled after each refusal up to
    /// <see cref="ForeignStopMaxBackoff"/>.</summary>
    public TimeSpan ForeignStopBackoff { get; init; } = TimeSpan.FromMinutes(1);
    public TimeSpan ForeignStopMaxBackoff { get; init; } = TimeSpan.FromMinutes(30);
}

/// <summary>The stop as the status shows it.</summary>
public sealed record ProtectiveStopView(decimal TriggerPrice, string ClientAlgoId, long? AlgoId, OrderSide Side);

/// <summary>
/// Keeps exactly one protective stop on the exchange while the session holds a position (issue 10, layer 2): a
/// reduce-only close-all STOP_MARKET on the mark price at <see cref="ProtectiveStopPrice"/>, so the drawdown limit holds
/// between candles and with Afml gone.
/// <list type="bullet">
/// <item><see cref="SyncAsync"/> after every fill and every step: flat → the stop is cancelled; a position → a stop at the
/// price the book and the running peak give now; replaced when the side changes or by <see cref="ProtectiveStopPrice.Keeps"/>'s
/// rule: the price moved by a tick or more and the live stop is either tighter than wanted or looser by more than half
/// the slippage margin.</item>
/// <item>A trigger is the session's to record (a venue event). The user-data stream reports it; while the stream is down
/// (<see cref="IProtectiveStops.TriggersReported"/> false) <see cref="FollowAsync"/> asks for the stop once a step, and a
/// step B breach asks whatever the stream (<see cref="TriggeredAsync"/>): a close can beat the trigger's event.</item>
/// <item>A close-all stop the session did not place (-4130): refused at start (<c>ForeignProtectiveStop</c>); met
/// mid-session, warned once, shown in the status (<see cref="Problem"/>), and tried again only after a doubling back-off
/// (the monitor between candles and step B still guard).</item>
/// <item>Replacement is cancel-then-place: Binance refuses a second close-all stop in the same direction (-4130), and
/// two live stops is what must never happen. The gap is one REST round trip while the session is alive (layer 1 and
/// step B still watch). A cancel that finds the old stop already triggered places nothing: the trigger is the
/// session's to handle (a venue event).</item>
/// <item>Nothing on the session's end: a stop left with a position open is the point (Ctrl+C, -MaxSteps, a crash).</item>
/// <item>Every stop is recorded in <see cref="ProtectiveStopGuardFile"/> before it is sent; <see cref="StartAsync"/> looks
/// the recorded stop up: triggered while Afml was not running → HALTED (TrainingHalted); resting → adopted.</item>
/// </list>
/// Client algo ids are <c>afml-&lt;session tag&gt;-&lt;generation&gt;-ps</c>: the same id for every retry of one stop, a new
/// generation for each replacement; a lost answer is looked up by the client (<see cref="IProtectiveStops"/>), and a stop
/// whose outcome stayed unknown is looked up again before any new one is sent.
/// </summary>
/// <param name="report">Where a trigger learnt by asking goes (the session's venue events); null: only logged.</param>
public sealed class ProtectiveStopKeeper(IProtectiveStops stops, ProtectiveStopSettings settings, TimeProvider time, Action<VenueEvent>? report = null)
{
    private readonly ProtectiveStopGuardFile _guard = new(settings.ProductionDir);
    private DateTimeOffset? _foreignRetryAt; // -4130: no stop is sent before then
    private TimeSpan _foreignBackoff;
    private int _generation;
    private string? _uncertainId; // a stop sent whose outcome is unknown: looked up before anything else is sent
    private ProtectiveStopOrder? _live;

    /// <summary>The stop resting now (null when none).</summary>
    public ProtectiveStopOrder? Live => Volatile.Read(ref _live);

    public ProtectiveStopView? View => Live is { } l ? new ProtectiveStopView(l.TriggerPrice, l.ClientAlgoId, l.AlgoId, l.Side) : null;

    /// <summary>Stops placed, cancelled by the keeper, and found triggered.</summary>
    public int Placed { get; private set; }
    public int Cancelled { get; private set; }
    public int Triggered { get; private set; }

    /// <summary>Placements Binance refused because a close-all stop not ours rests (-4130).</summary>
    public int ForeignRefusals { get; private set; }

    /// <summary>Why no stop guards the position although one should (the status shows it); null when nothing is wrong.</summary>
    public string? Problem { get; private set; }

    public string GuardPath => _guard.Path;

    /// <summary>Start of a session: the stop a previous session left, looked up. Triggered while no session was running →
    /// the training is latched HALTED and the start refused; resting → adopted (the first <see cref="SyncAsync"/> keeps,
    /// replaces or cancels it); gone → forgotten.</summary>
    /// <exception cref="AfmlException">TrainingHalted; ProtectiveStopUnknown when the recorded stop cannot be looked up.</exception>
    /// <exception cref="AfmlException">also ProtectiveStopAccountMismatch (the guard file is another account's) and
    /// ForeignProtectiveStop (a close-all stop not ours rests on the symbol: Binance would refuse ours, -4130).</exception>
    public async Task StartAsync(VenueContext context, CancellationToken ct)
    {
        await AdoptLeftAsync(context, ct).ConfigureAwait(false);
        await RefuseForeignAsync(context, ct).ConfigureAwait(false);
    }

    private async Task AdoptLeftAsync(VenueContext context, CancellationToken ct)
    {
        if (_guard.Read() is not { } left) return;
        if (!left.IsFor(context.Exchange.Name, context.Symbol))
        {
            context.Log.Warning($"🛡️ {_guard.Path} registra un stop de {left.Venue} {left.Symbol}, no de esta sesión ({context.Exchange.Name} {context.Symbol}): se deja como está.");
            return;
        }
        _guard.ThrowIfOtherAccount(left, settings.Account);
        var found = await context.StateRetry.RunAsync(c => stops.QueryStopAsync(context.Symbol, left.ClientAlgoId, c), ct).ConfigureAwait(false);
        if (!found.Success)
            throw new AfmlException("ProtectiveStopUnknown", AfmlErrorCategory.ConnectionError,
                $"The protective stop {left.ClientAlgoId} this training left on {left.Venue} could not be looked up ({found.Error}); nothing was sent. Try again, or check the account's open algo orders.", _guard.Path);
        var stop = found.Data;
        if (stop is { HasTriggered: true })
        {
            var when = stop.TriggeredAt ?? left.UpdatedAt;
            var reason = TriggeredWhileAway(left, stop);
            var latch = new TrainingHaltLatch(settings.ProductionDir);
            latch.Write(new HaltRecord
            {
                HaltedAt = when,
                Reason = reason,
                TrainId = settings.TrainId,
                SessionId = left.SessionId,
                Venue = left.Venue,
                Symbol = left.Symbol,
                HaltedBy = $"protective stop on {left.Venue} (found by process {Environment.ProcessId})",
            });
            _guard.Delete(); // the latch carries it now; Reset-AfmlEmergency clears one thing
            context.Log.Error($"🛑 {reason}");
            latch.ThrowIfHalted(settings.TrainId);
        }
        if (stop is { IsResting: true })
        {
            Volatile.Write(ref _live, stop);
            context.Log.Info($"🛡️ Stop de protección {stop.ClientAlgoId} ({SideText(stop.Side)} @ {stop.TriggerPrice}) sigue en {context.Exchange.Name}: adoptado");
            return;
        }
        _guard.Delete(); // cancelled, expired, rejected or unknown to the venue: nothing rests
    }

    /// <summary>The reason a stop that triggered while no session ran is recorded with (latch, emergencias).</summary>
    public static string TriggeredWhileAway(ProtectiveStopGuard left, ProtectiveStopOrder stop) => string.Create(CultureInfo.InvariantCulture,
        $"{VenueEvent.ProtectiveStopReason}: el stop {left.ClientAlgoId} ({left.Side} @ {left.TriggerPrice}) se disparó el {stop.TriggeredAt ?? left.UpdatedAt:yyyy-MM-dd HH:mm:ss'Z'} mientras Afml no corría ({stop.Status}, {stop.ExecutedQuantity} @ {stop.AveragePrice})");

    /// <summary>A close-all conditional order on the symbol that is not the stop adopted: Binance takes one per direction, so
    /// ours would be refused (-4130) for as long as it rests. The operator's to cancel; the start is refused naming it.</summary>
    private async Task RefuseForeignAsync(VenueContext context, CancellationToken ct)
    {
        var open = await context.StateRetry.RunAsync(c => stops.OpenStopsAsync(context.Symbol, c), ct).ConfigureAwait(false);
        if (!open.Success)
        {
            context.Log.Warning($"⚠️ No se pudieron leer las órdenes condicionales de {context.Symbol} ({open.Error}); un stop ajeno se verá al poner el nuestro");
            return;
        }
        var adopted = Live?.ClientAlgoId;
        var others = open.Data!.Where(o => o.ClosePosition && o.IsResting && o.ClientAlgoId != adopted).ToList();
        // A protective stop another Afml session left on this account (its own guard file is another training's): it
        // guards the position this session adopts, so it is adopted too, and the first sync keeps, replaces or cancels it.
        if (Live is null && others.FirstOrDefault(IsAfmlStop) is { } afml)
        {
            Volatile.Write(ref _live, afml);
            others.Remove(afml);
            context.Log.Info($"🛡️ Stop de protección {afml.ClientAlgoId} ({SideText(afml.Side)} @ {afml.TriggerPrice}) de otra sesión de Afml en {context.Exchange.Name}: adoptado");
        }
        if (others.FirstOrDefault() is not { } foreign) return;
        throw new AfmlException("ForeignProtectiveStop", AfmlErrorCategory.InvalidOperation, string.Create(CultureInfo.InvariantCulture,
            $"{context.Symbol} on {context.Exchange.Name} already has a close-all {foreign.OrderType} {SideText(foreign.Side)} @ {foreign.TriggerPrice} this training did not place (algoId {foreign.AlgoId}, clientAlgoId '{foreign.ClientAlgoId}'). Binance allows one close-all stop per direction (-4130), so the protective stop could not be placed. Cancel that order (Binance UI, or DELETE /fapi/v1/algoOrder with its algoId), then start again."),
            foreign.ClientAlgoId);
    }

    /// <summary>A protective stop placed by Afml (<c>afml-&lt;tag&gt;-&lt;generation&gt;-ps</c>), not by hand.</summary>
    private static bool IsAfmlStop(ProtectiveStopOrder o) =>
        o.ClientAlgoId.StartsWith("afml-", StringComparison.Ordinal) && o.ClientAlgoId.EndsWith("-ps", StringComparison.Ordinal) && o.OrderType == "STOP_MARKET";

    /// <summary>After each step: a trigger the venue could not report (its stream down) is asked for once and handed to the
    /// session (<c>report</c>); otherwise the stop follows the book (<see cref="SyncAsync"/>).</summary>
    public async Task FollowAsync(VenueContext context, CancellationToken ct)
    {
        if (await UnreportedAsync(context, ct).ConfigureAwait(false) is { } e)
        {
            report?.Invoke(e);
            return;
        }
        await SyncAsync(context, ct).ConfigureAwait(false);
    }

    /// <summary>The live stop looked up (one call): triggered → forgotten, and returned as the venue event the session
    /// records (reason stop_proteccion, the fill's quantity and price); resting, unknown or none live → null.</summary>
    public async Task<VenueEvent?> TriggeredAsync(VenueContext context, CancellationToken ct)
    {
        if (Live is not { } live) return null;
        ExchangeResult<ProtectiveStopOrder?> found;
        try { found = await stops.QueryStopAsync(context.Symbol, live.ClientAlgoId, ct).ConfigureAwait(false); }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            context.Log.Warning($"⚠️ Stop de protección {live.ClientAlgoId} no consultado: {ex.GetType().Name}: {ex.Message}");
            return null;
        }
        if (!found.Success)
        {
            context.Log.Warning($"⚠️ Stop de protección {live.ClientAlgoId} no consultado: {found.Error}");
            return null;
        }
        if (found.Data is not { HasTriggered: true } stop || !ReferenceEquals(Interlocked.CompareExchange(ref _live, null, live), live)) return null;
        return Ended(stop, context);
    }

    /// <summary>A stop found triggered: forgotten (nothing rests) and described as the venue event its fill is.</summary>
    private VenueEvent Ended(ProtectiveStopOrder stop, VenueContext context)
    {
        Volatile.Write(ref _live, null);
        Triggered++;
        _guard.Delete();
        var price = stop.AveragePrice > 0 ? stop.AveragePrice : stop.TriggerPrice;
        return new VenueEvent(stop.TriggeredAt ?? time.GetUtcNow(), VenueEventKind.ProtectiveStop, context.Symbol, stop.Side,
            (double)stop.ExecutedQuantity, (double)price, stop.ClientAlgoId, stop.AlgoId ?? 0, 0, null, null, 0);
    }

    /// <summary>Step A, before anything is decided on the book: a trigger the venue could not report (its stream down) is
    /// asked for once and returned for the session to record; on a healthy stream nothing is asked (null, no call).</summary>
    public async Task<VenueEvent?> UnreportedAsync(VenueContext context, CancellationToken ct)
    {
        if (stops.TriggersReported || Live is null) return null;
        var e = await TriggeredAsync(context, ct).ConfigureAwait(false);
        if (e is not null) LogUnheard(context, e);
        return e;
    }

    private static void LogUnheard(VenueContext context, VenueEvent e) =>
        context.Log.Warning(string.Create(CultureInfo.InvariantCulture,
            $"🛡️ El stop de protección {e.ClientOrderId} se disparó ({e.Quantity} @ {e.Price}) y el venue no lo ha notificado: se registra ahora"));

    /// <summary>The stop follows the book: cancelled when flat, placed or replaced when the position or the peak moved it.</summary>
    public async Task SyncAsync(VenueContext context, CancellationToken ct)
    {
        if (_uncertainId is { } uncertain && !await ResolveUncertainAsync(context, uncertain, ct).ConfigureAwait(false)) return;
        var book = context.Book;
        var position = book.Position;
        var wanted = position is { } p
            ? ProtectiveStopPrice.For(p.Side, p.Quantity, p.EntryPrice, book.Balance + p.Margin, book.PeakEquity, settings.MaxDrawdown,
                settings.CommissionRate, settings.SlippageMargin, context.Rules.TickSize)
            : null;
        var side = position?.Side == PositionSide.Short ? OrderSide.Buy : OrderSide.Sell;
        var live = Live;
        if (live is not null && wanted is { } same && live.Side == side && ProtectiveStopPrice.Keeps(side == OrderSide.Sell ? PositionSide.Long : PositionSide.Short, live.TriggerPrice, same, settings.SlippageMargin)) return;
        if (live is not null && !await CancelLiveAsync(context, live, ct).ConfigureAwait(false)) return;
        if (position is null) return;
        if (wanted is not { } price)
        {
            context.Log.Debug($"🛡️ Sin stop de protección: ningún precio lleva la equity al límite con esta posición");
            return;
        }
        if (_foreignRetryAt is { } retryAt && time.GetUtcNow() < retryAt) return; // -4130: not before the back-off
        await PlaceAsync(context, side, price, ct).ConfigureAwait(false);
    }

    /// <summary>The stop is cancelled (an emergency that ended flat). Returns false when it could not be.</summary>
    public async Task<bool> CancelAsync(VenueContext context, CancellationToken ct) =>
        Live is not { } live || await CancelLiveAsync(context, live, ct).ConfigureAwait(false);

    private async Task PlaceAsync(VenueContext context, OrderSide side, decimal price, CancellationToken ct)
    {
        var id = ClientOrderIds.For(context.OrderTag, ++_generation, "ps");
        var text = price.ToString(CultureInfo.InvariantCulture);
        // On disk before it is sent: a crash before the answer still leaves the id a restart looks up.
        _guard.Write(Guard(id, null, side, price, "placing", context));
        _uncertainId = id;
        var placed = await context.OrderRetry.RunAsync(c => stops.PlaceStopAsync(context.Symbol, side, text, id, c), ct,
            (attempt, error) => context.Log.Warning($"🔁 Reintento {attempt} del stop de protección {id}: {error}")).ConfigureAwait(false);
        if (placed.Success)
        {
            _uncertainId = null;
            Adopt(context, placed.Data!);
            Placed++;
            if (_foreignRetryAt is not null)
            {
                context.Log.Info($"🛡️ El stop ajeno ya no está: el stop de protección vuelve a guardar la posición");
                (_foreignRetryAt, _foreignBackoff, Problem) = (null, TimeSpan.Zero, null);
            }
            context.Log.Info($"🛡️ Stop de protección {id}: {SideText(side)} STOP_MARKET closePosition @ {text} (mark) en {context.Exchange.Name}");
            return;
        }
        var error = placed.Error!;
        if (error.Kind is ExchangeErrorKind.Unknown or ExchangeErrorKind.Network or ExchangeErrorKind.RateLimited or ExchangeErrorKind.Banned or ExchangeErrorKind.InvalidTimestamp)
        {
            context.Log.Error($"❌ Stop de protección {id} en estado desconocido ({error}): se consulta antes de enviar otro");
            return; // _uncertainId stays: the next sync looks it up first
        }
        _uncertainId = null;
        _guard.Delete();
        if (error.Code == -4130)
        {
            await ForeignRefusedAsync(context, error, ct).ConfigureAwait(false);
            return;
        }
        context.Log.Error(error.Code == -2021
            ? $"❌ Stop de protección {id} @ {text} rechazado: el mark ya lo ha cruzado (-2021); el drawdown se comprueba en la vela"
            : $"❌ Stop de protección {id} @ {text} rechazado por el venue: {error}; se reintenta en el siguiente paso");
    }

    /// <summary>-4130: a close-all stop nobody here placed rests in this direction. Warned once (naming it when it can be
    /// read), shown in the status, tried again after a doubling back-off; the monitor and step B still guard.</summary>
    private async Task ForeignRefusedAsync(VenueContext context, ExchangeError error, CancellationToken ct)
    {
        ForeignRefusals++;
        _foreignBackoff = _foreignBackoff <= TimeSpan.Zero ? settings.ForeignStopBackoff
            : TimeSpan.FromTicks(Math.Min(_foreignBackoff.Ticks * 2, settings.ForeignStopMaxBackoff.Ticks));
        _foreignRetryAt = time.GetUtcNow() + _foreignBackoff;
        if (Problem is not null) return;
        var name = "(no leída)";
        try
        {
            var open = await stops.OpenStopsAsync(context.Symbol, ct).ConfigureAwait(false);
            if (open.Success && open.Data!.FirstOrDefault(o => o.ClosePosition && o.IsResting) is { } foreign)
                name = string.Create(CultureInfo.InvariantCulture, $"algoId {foreign.AlgoId}, clientAlgoId '{foreign.ClientAlgoId}', {SideText(foreign.Side)} @ {foreign.TriggerPrice}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException) { }
        Problem = $"stop ajeno en {context.Symbol} ({name}): Binance rechaza el nuestro (-4130); sin stop en el exchange, el monitor sigue";
        context.Log.Warning($"⚠️ {Problem}. Cancélelo para que el stop de protección vuelva; se reintenta con espera creciente ({error}).");
    }

    /// <summary>A stop whose outcome was unknown: resting → it is the live one; gone → forgotten; still unknown → false (nothing else is sent).</summary>
    private async Task<bool> ResolveUncertainAsync(VenueContext context, string id, CancellationToken ct)
    {
        var found = await context.StateRetry.RunAsync(c => stops.QueryStopAsync(context.Symbol, id, c), ct).ConfigureAwait(false);
        if (!found.Success)
        {
            context.Log.Warning($"⚠️ Stop de protección {id} aún desconocido ({found.Error}); no se envía otro");
            return false;
        }
        _uncertainId = null;
        if (found.Data is { IsResting: true } stop) Adopt(context, stop);
        else if (found.Data is { HasTriggered: true } triggered) Unreported(context, Ended(triggered, context));
        else _guard.Delete();
        return true;
    }

    private async Task<bool> CancelLiveAsync(VenueContext context, ProtectiveStopOrder live, CancellationToken ct)
    {
        var cancelled = await context.OrderRetry.RunAsync(c => stops.CancelStopAsync(context.Symbol, live.ClientAlgoId, c), ct).ConfigureAwait(false);
        if (!cancelled.Success)
        {
            context.Log.Error($"❌ No se pudo cancelar el stop de protección {live.ClientAlgoId} ({cancelled.Error}); sigue en el venue, no se pone otro");
            return false;
        }
        Volatile.Write(ref _live, null);
        _guard.Delete();
        if (cancelled.Data is { HasTriggered: true } triggered)
        {
            context.Log.Warning($"🛡️ El stop de protección {live.ClientAlgoId} ya se había disparado ({triggered.Status})");
            Unreported(context, Ended(triggered, context));
        }
        else
        {
            Cancelled++;
            context.Log.Debug($"🛡️ Stop de protección {live.ClientAlgoId} cancelado");
        }
        return true;
    }

    /// <summary>A trigger found while following the book: the stream reports it when up; down, the session hears it from here.</summary>
    private void Unreported(VenueContext context, VenueEvent e)
    {
        if (stops.TriggersReported) return;
        LogUnheard(context, e);
        report?.Invoke(e);
    }

    private void Adopt(VenueContext context, ProtectiveStopOrder stop)
    {
        Volatile.Write(ref _live, stop);
        _guard.Write(Guard(stop.ClientAlgoId, stop.AlgoId, stop.Side, stop.TriggerPrice, "resting", context));
    }

    private ProtectiveStopGuard Guard(string id, long? algoId, OrderSide side, decimal price, string state, VenueContext context) => new()
    {
        ClientAlgoId = id,
        AlgoId = algoId,
        Venue = context.Exchange.Name,
        Symbol = context.Symbol,
        Side = SideText(side),
        TriggerPrice = price,
        State = state,
        UpdatedAt = time.GetUtcNow(),
        SessionId = context.SessionId,
        TrainId = settings.TrainId,
        Account = settings.Account,
        PeakEquity = context.Book.PeakEquity,
    };

    private static string SideText(OrderSide side) => side == OrderSide.Buy ? "BUY" : "SELL";
}
