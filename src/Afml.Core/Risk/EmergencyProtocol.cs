using System.Globalization;
using Afml.Core.Exchange;

namespace Afml.Core.Risk;

/// <summary>The two honest ends of the emergency protocol.</summary>
public static class EmergencyStates
{
    /// <summary>Every order of the symbol cancelled and the position read back as zero.</summary>
    public const string Flat = "FLAT";

    /// <summary>The venue stayed unreachable (or kept refusing) for the whole bound: something is still open.</summary>
    public const string Incomplete = "EMERGENCY_INCOMPLETE";
}

/// <summary>How long and how often the protocol keeps trying.</summary>
/// <param name="GiveUpAfter">The bound: past it, the protocol ends <see cref="EmergencyStates.Incomplete"/>.
/// Default 5 minutes: an outage of a minute or two (the venue frozen, a network blip) is waited out.</param>
/// <param name="InitialDelay">The wait after the first failed round; doubled each round up to <paramref name="MaxDelay"/>.</param>
public sealed record EmergencyProtocolOptions(TimeSpan? GiveUpAfter = null, TimeSpan? InitialDelay = null, TimeSpan? MaxDelay = null)
{
    public TimeSpan Bound => GiveUpAfter ?? TimeSpan.FromMinutes(5);
    public TimeSpan FirstDelay => InitialDelay ?? TimeSpan.FromSeconds(1);
    public TimeSpan LongestDelay => MaxDelay ?? TimeSpan.FromSeconds(15);
}

/// <summary>One venue call the protocol made (every one is reported, for the log and the console).</summary>
/// <param name="Round">1 for the first pass; a new round after each back-off wait.</param>
/// <param name="Step">cancel, position or close.</param>
public sealed record EmergencyAttempt(int Round, string Step, bool Success, string Detail, DateTimeOffset At)
{
    public override string ToString() => $"#{Round} {Step}: {(Success ? "ok" : "FALLO")} · {Detail}";
}

/// <summary>What the emergency protocol did.</summary>
/// <param name="Complete">True only when every order was cancelled and the position was read back flat.</param>
/// <param name="CloseFill">Every close that executed, merged (quantity summed, average price volume-weighted,
/// commissions summed).</param>
/// <param name="RemainingQuantity">The signed position last read (or last known) at the venue: 0 when flat.</param>
/// <param name="RemainingKnown">False when the position could never be read: what is open is unknown.</param>
/// <param name="CloseOrderIds">The client order ids of the closes the protocol sent.</param>
public sealed record EmergencyOutcome(
    string Reason,
    int PositionsClosed,
    int OrdersCancelled,
    bool Complete,
    IReadOnlyList<string> Problems,
    OrderFill? CloseFill = null)
{
    public string Symbol { get; init; } = "";
    public double RemainingQuantity { get; init; }
    public bool RemainingKnown { get; init; } = true;
    public bool OrdersCancelledConfirmed { get; init; } = true;
    /// <summary>False while conditional (algo) orders may still rest on the symbol: they are cancelled only once the
    /// position reads flat (until then a protective stop still guards it).</summary>
    public bool ConditionalOrdersCancelled { get; init; } = true;
    public int Rounds { get; init; } = 1;
    public int Attempts { get; init; }
    public IReadOnlyList<string> CloseOrderIds { get; init; } = [];
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary><see cref="EmergencyStates.Flat"/> or <see cref="EmergencyStates.Incomplete"/>.</summary>
    public string State => Complete ? EmergencyStates.Flat : EmergencyStates.Incomplete;

    /// <summary>What is still open, in words (empty when flat and cancelled): for the status, the emergencias row and
    /// the console.</summary>
    public string StillOpen
    {
        get
        {
            if (Complete) return "";
            var parts = new List<string>(2);
            if (!RemainingKnown) parts.Add($"posición {Symbol} desconocida (no se pudo leer)");
            else if (RemainingQuantity != 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"posición {Symbol} {RemainingQuantity:+0.########;-0.########} abierta"));
            if (!OrdersCancelledConfirmed) parts.Add($"órdenes de {Symbol} sin cancelar");
            if (!ConditionalOrdersCancelled) parts.Add($"órdenes condicionales (stops) de {Symbol} siguen en el venue");
            return string.Join("; ", parts);
        }
    }

    /// <summary>One line: the state, then what is open and the last problems.</summary>
    public string Describe() => Complete
        ? $"{State}: posiciones cerradas y órdenes canceladas"
        : $"{State}: {StillOpen}{(Problems.Count > 0 ? " · " + string.Join("; ", Problems.TakeLast(3)) : "")}";
}

/// <summary>
/// The emergency protocol: cancel the symbol's orders, close its position with reduce-only MARKET orders, read the
/// position back until it is zero, then cancel the symbol's conditional orders (a venue with an algo-order API,
/// <see cref="IProtectiveStops"/>: the protective stop and any stop placed by hand). Conditional orders go last on
/// purpose: while the position is open a close-all stop still guards it; once flat, a stop left behind could close or
/// open a later position. While the venue is unreachable (or answers with errors) it keeps going, round
/// after round, waiting with a doubling back-off (on the <see cref="TimeProvider"/>) for at most
/// <see cref="EmergencyProtocolOptions.Bound"/>. It ends in one of two honest states: <see cref="EmergencyStates.Flat"/>
/// (cancelled and read back flat) or <see cref="EmergencyStates.Incomplete"/> naming what is still open.
/// A close never doubles: each close has its own client order id, reused (so the venue client looks it up instead of
/// resending) until its outcome is known, a new one only once the previous close is known to be done and the
/// position still is not flat, and every close is reduce-only (it can shrink a position, never grow or flip one).
/// It does not decide to stop: the caller latches HALTED and ends the session.
/// </summary>
public sealed class EmergencyProtocol
{
    private readonly IExchange _exchange;
    private readonly TimeProvider _time;
    private readonly EmergencyProtocolOptions _options;

    public EmergencyProtocol(IExchange exchange, TimeProvider time, EmergencyProtocolOptions? options = null)
    {
        _exchange = exchange;
        _time = time;
        _options = options ?? new EmergencyProtocolOptions();
    }

    /// <summary>The client order id of the protocol's first close; later closes (after a partial fill) add a round
    /// number: <c>-em2</c>, <c>-em3</c>…</summary>
    public static string CloseOrderId(string clientOrderIdPrefix) => clientOrderIdPrefix + "-em";

    public static string CloseOrderId(string clientOrderIdPrefix, int close)
    {
        var id = close <= 1 ? CloseOrderId(clientOrderIdPrefix) : clientOrderIdPrefix + "-em" + close.ToString(CultureInfo.InvariantCulture);
        // Binance takes at most 36 characters: keep "afml-" and the id's end (step and close number vary, not the stamp's start).
        const int max = ClientOrderIds.MaxLength;
        return id.Length <= max || !id.StartsWith("afml-", StringComparison.Ordinal) ? id : "afml-" + id[^(max - 5)..];
    }

    /// <param name="onAttempt">Told about every venue call, as it ends.</param>
    /// <param name="ct">Only an explicit abandon (the host going away); a session passes <c>None</c>.</param>
    public async Task<EmergencyOutcome> RunAsync(string symbol, string reason, string clientOrderIdPrefix, double referencePrice,
        CancellationToken ct, Action<EmergencyAttempt>? onAttempt = null)
    {
        var started = _time.GetUtcNow();
        var deadline = started + _options.Bound;
        var problems = new List<string>();
        var closeIds = new List<string>();
        var fills = new List<OrderFill>();
        var cancelled = 0;
        var cancelDone = false;
        var conditional = _exchange as IProtectiveStops;
        var conditionalDone = conditional is null;
        var knownQuantity = (double?)null;
        var attempts = 0;
        var closeNumber = 1;
        string? pendingCloseId = null; // a close whose outcome is not known yet: its id is reused
        MarketOrderRequest? lastClose = null;
        var delay = _options.FirstDelay;
        var round = 0;

        while (true)
        {
            round++;
            var readBack = false;
            if (!cancelDone)
            {
                var cancel = await TryAsync(c => _exchange.CancelAllOrdersAsync(symbol, c), ct).ConfigureAwait(false);
                Report(round, "cancel", cancel.Success, cancel.Success ? $"{cancel.Data} orden(es) cancelada(s)" : cancel.Error!.ToString());
                if (cancel.Success) (cancelDone, cancelled) = (true, cancel.Data);
                else Problem($"cancelar órdenes: {cancel.Error}");
            }

            var position = await TryAsync(c => _exchange.GetPositionAsync(symbol, c), ct).ConfigureAwait(false);
            Report(round, "position", position.Success, position.Success
                ? string.Create(CultureInfo.InvariantCulture, $"{symbol} {position.Data!.Quantity}")
                : position.Error!.ToString());
            if (!position.Success)
            {
                Problem($"leer posición: {position.Error}");
            }
            else
            {
                knownQuantity = position.Data!.Quantity;
                if (knownQuantity == 0)
                {
                    if (pendingCloseId is { } lost && lastClose is { } sent)
                    {
                        // Flat after a close whose answer was lost: it filled. The same id again is a lookup (the venue
                        // answers a known id with its first fill; reduce-only on a flat position can fill nothing).
                        var found = await TryAsync(c => _exchange.PlaceMarketOrderAsync(sent, c), ct).ConfigureAwait(false);
                        Report(round, "lookup", found.Success, found.Success
                            ? string.Create(CultureInfo.InvariantCulture, $"{lost} {found.Data!.Status} {found.Data.ExecutedQuantity}@{found.Data.AveragePrice}")
                            : $"{lost} {found.Error}");
                        if (found.Success)
                        {
                            if (found.Data!.ExecutedQuantity > 0) fills.Add(found.Data);
                            pendingCloseId = null;
                        }
                    }
                    if (!conditionalDone && pendingCloseId is null)
                    {
                        var algo = await TryAsync(c => conditional!.CancelAllStopsAsync(symbol, c), ct).ConfigureAwait(false);
                        Report(round, "cancel-conditional", algo.Success, algo.Success ? $"{algo.Data} orden(es) condicional(es) cancelada(s)" : algo.Error!.ToString());
                        if (algo.Success) (conditionalDone, cancelled) = (true, cancelled + algo.Data);
                        else Problem($"cancelar órdenes condicionales: {algo.Error}");
                    }
                    if (cancelDone && conditionalDone && pendingCloseId is null) return Outcome(true);
                }
                else
                {
                    var quantity = knownQuantity.Value;
                    var id = pendingCloseId ?? CloseOrderId(clientOrderIdPrefix, closeNumber);
                    var request = new MarketOrderRequest(symbol, quantity > 0 ? OrderSide.Sell : OrderSide.Buy, Math.Abs(quantity),
                        ReduceOnly: true, ClientOrderId: id, ReferencePrice: referencePrice);
                    lastClose = request;
                    var fill = await TryAsync(c => _exchange.PlaceMarketOrderAsync(request, c), ct).ConfigureAwait(false);
                    if (!closeIds.Contains(id)) closeIds.Add(id);
                    Report(round, "close", fill.Success, fill.Success
                        ? string.Create(CultureInfo.InvariantCulture, $"{id} {fill.Data!.Status} {fill.Data.ExecutedQuantity}@{fill.Data.AveragePrice}")
                        : $"{id} {fill.Error}");
                    if (fill.Success)
                    {
                        // Known outcome: this id is spent; a further close (partial fill, expiry) gets the next one.
                        pendingCloseId = null;
                        closeNumber++;
                        if (fill.Data!.ExecutedQuantity > 0)
                        {
                            fills.Add(fill.Data);
                            readBack = true; // read the position back at once, no wait
                        }
                        else Problem($"cerrar posición: {id} no ejecutada ({fill.Data.Status})");
                    }
                    else
                    {
                        Problem($"cerrar posición: {fill.Error}");
                        // An unknown outcome may have filled: the same id again, so the venue client looks it up
                        // before any resend. A definite rejection sent nothing: the same id is just as safe.
                        pendingCloseId = id;
                    }
                }
            }

            var now = _time.GetUtcNow();
            if (now >= deadline) return Outcome(knownQuantity == 0 && cancelDone && conditionalDone); // flat and cancelled, only a lost fill unknown: still FLAT
            if (readBack) continue;
            var wait = delay < deadline - now ? delay : deadline - now;
            await Task.Delay(wait, _time, ct).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.LongestDelay.Ticks));
        }

        void Report(int r, string step, bool ok, string detail)
        {
            attempts++;
            onAttempt?.Invoke(new EmergencyAttempt(r, step, ok, detail, _time.GetUtcNow()));
        }

        void Problem(string text)
        {
            // The same failure round after round is one problem, not hundreds.
            if (problems.Count == 0 || problems[^1] != text) problems.Add(text);
        }

        EmergencyOutcome Outcome(bool complete) => new(reason, fills.Count > 0 ? 1 : 0, cancelled, complete,
            complete ? [] : problems.Count > 0 ? problems : ["sin respuesta del venue"], Merge(fills))
        {
            Symbol = symbol,
            RemainingQuantity = complete ? 0 : knownQuantity ?? 0,
            RemainingKnown = complete || knownQuantity is not null,
            OrdersCancelledConfirmed = cancelDone,
            ConditionalOrdersCancelled = conditionalDone,
            Rounds = round,
            Attempts = attempts,
            CloseOrderIds = closeIds,
            StartedAt = started,
            EndedAt = _time.GetUtcNow(),
        };
    }

    private static OrderFill? Merge(List<OrderFill> fills)
    {
        if (fills.Count == 0) return null;
        if (fills.Count == 1) return fills[0];
        var qty = fills.Sum(f => f.ExecutedQuantity);
        var avg = qty > 0 ? fills.Sum(f => f.ExecutedQuantity * f.AveragePrice) / qty : 0;
        return fills[^1] with { ExecutedQuantity = qty, AveragePrice = avg, Commission = fills.Sum(f => f.Commission) };
    }

    /// <summary>One call; a transport exception is a failed round like any other, never the protocol's end.</summary>
    private static async Task<ExchangeResult<T>> TryAsync<T>(Func<CancellationToken, Task<ExchangeResult<T>>> call, CancellationToken ct)
    {
        try
        {
            return await call(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ExchangeResult<T>.Fail(ExchangeErrorKind.Network, ex.GetType().Name + ": " + ex.Message);
        }
    }
}
