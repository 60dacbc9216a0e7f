using Afml.Core.Exchange;
using Afml.Core.MarketData;
using Afml.Core.Portfolio;
using Afml.Core.Risk;
using Afml.Core.Session;

namespace Afml.Core.Venues;

/// <summary>What a venue's start and after-step work on: the session's venue connection, book and retry rules.</summary>
/// <param name="StateRetry">Retries for reads of account and position state (transient failures backed off within
/// the candle).</param>
/// <param name="Reconciled">Called with each reconciliation the book recorded (statistics, console).</param>
public sealed record VenueContext(
    IExchange Exchange,
    TrainingPortfolio Book,
    string Symbol,
    SymbolRules Rules,
    OperationRetry StateRetry,
    SessionLogger Log,
    Action<OperationRecord> Reconciled)
{
    /// <summary>What makes the session's client order ids its own (<see cref="SessionParts.ClientOrderTag"/>).</summary>
    public string OrderTag { get; init; } = "session";
    public string? SessionId { get; init; }
    /// <summary>Orders sent by the venue itself (the protective stop): the session's order retry; default the state retry.</summary>
    public OperationRetry? OrderRetryOverride { get; init; }
    public OperationRetry OrderRetry => OrderRetryOverride ?? StateRetry;
}

/// <summary>
/// How one kind of venue behaves inside the one session loop; every venue difference lives here, not in flags:
/// the price the book and the policy use for a candle, how a fill is charged, what happens at start (capital
/// check, adopting a position) and after each step (reconciliation). The loop asks; the venue answers.
/// <see cref="SimulatedVenue"/> is replay and paper (the training env on recorded or live candles);
/// <see cref="BinanceVenue"/> is testnet and live (real fills, the venue's position is the truth).
/// </summary>
public abstract class SessionVenue
{
    /// <summary>True when a position left open at the end exists somewhere outside this process (a venue account),
    /// so an end must say so and how to close it.</summary>
    public abstract bool HoldsRealPositions { get; }

    /// <summary>Fills on the account the session did not send (manual trades, liquidations, ADL) as the venue reports
    /// them; null where nothing else trades the account (replay, paper).</summary>
    public virtual System.Threading.Channels.ChannelReader<VenueEvent>? Events => null;

    /// <summary>The price the book, the observation and a simulated fill use for this candle.</summary>
    public abstract double PriceOf(in Candle candle);

    /// <summary>Step A, before the account is read: a venue that marks positions at the session's prices does it here.</summary>
    public virtual void OnCandle(string symbol, double price) { }

    /// <summary>How the book charges <paramref name="fill"/>.</summary>
    public abstract FillCost CostOf(OrderFill fill, SessionLogger log);

    /// <summary>After the common start (leverage, symbol rules): the venue's own checks before the first decision.</summary>
    public virtual Task StartAsync(VenueContext context, IReadOnlyList<Candle> history, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Step G: bring the book to the venue's state; the venue error when that state could not be read.</summary>
    public virtual Task<ExchangeError?> AfterStepAsync(VenueContext context, double price, CancellationToken ct) => Task.FromResult<ExchangeError?>(null);

    /// <summary>The book brought to the venue's position only (no upkeep of orders that guard it): what a venue event's
    /// row needs before it is written; the guard follows with <see cref="AfterDecisionAsync"/> after the row.</summary>
    /// <param name="commission">The USDT the venue charged for the fill behind the event (<see cref="EventCommission"/>),
    /// booked with the close or reduction the reconciliation makes.</param>
    public virtual Task<ExchangeError?> ReconcileAsync(VenueContext context, double price, double commission, CancellationToken ct) => AfterStepAsync(context, price, ct);

    /// <summary>What a venue event's fill cost in USDT, for its row and the book: none on venues without events.</summary>
    public virtual double EventCommission(VenueEvent e, SessionLogger log) => 0.0;

    /// <summary>After each step (a decision or not): the exchange-resident guard follows the position and the running peak.</summary>
    public virtual Task AfterDecisionAsync(VenueContext context, CancellationToken ct) => Task.CompletedTask;

    /// <summary>After the emergency protocol: what the venue keeps on the exchange for the position is removed once flat.</summary>
    public virtual Task AfterEmergencyAsync(VenueContext context, bool flat, CancellationToken ct) => Task.CompletedTask;

    /// <summary>The protective stop resting on the exchange now (status), null where there is none.</summary>
    public virtual ProtectiveStopView? ProtectiveStop => null;

    /// <summary>Why the exchange-resident guard is not in place although it should be (status), null when nothing is wrong.</summary>
    public virtual string? ProtectiveStopProblem => null;

    /// <summary>Step B saw the limit crossed at the close: had the exchange-resident stop already closed the position (its
    /// trigger not yet heard of), that is its venue event; null otherwise (the emergency protocol runs).</summary>
    public virtual Task<VenueEvent?> ProtectiveStopTriggeredAsync(VenueContext context, CancellationToken ct) => Task.FromResult<VenueEvent?>(null);

    /// <summary>Step A: the exchange-resident stop triggered while the venue could not report it (binance: the user-data
    /// stream down), learnt by asking before the step decides on a position that is gone; null otherwise, and on a venue
    /// that reports triggers as they happen (no call).</summary>
    public virtual Task<VenueEvent?> UnreportedStopTriggerAsync(VenueContext context, CancellationToken ct) => Task.FromResult<VenueEvent?>(null);

    /// <summary>The error a failed venue call at start becomes.</summary>
    public virtual AfmlException StartFailure(ExchangeError error, string venueName, string errorId, AfmlErrorCategory category, string message, string target) =>
        new(errorId, category, message, target);
}
