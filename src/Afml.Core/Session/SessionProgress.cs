using Afml.Core.Recording;
using Afml.Core.Risk;

namespace Afml.Core.Session;

/// <summary>Where the loop is: what observers (status, statistics, console) read. Written by the loop only.</summary>
public sealed class SessionProgress
{
    internal SessionProgress(DateTimeOffset startedAt, TradingStateLatch latch)
    {
        StartedAt = startedAt;
        Latch = latch;
    }

    public DateTimeOffset StartedAt { get; }
    internal TradingStateLatch Latch { get; }
    public TradingState TradingState => Latch.State;
    /// <summary>Registro rows written (steps, emergency and final rows included).</summary>
    public int Steps { get; internal set; }
    public double LastPrice { get; internal set; }
    public DateTimeOffset? FirstCandle { get; internal set; }
    public DateTimeOffset? LastCandle { get; internal set; }
    public float LastAction { get; internal set; }
    public string? LastOperation { get; internal set; }
    public RegistroRow? LastRow { get; internal set; }
    /// <summary>How the emergency protocol ended, once it ran (FLAT or EMERGENCY_INCOMPLETE with what is still open).</summary>
    public EmergencyOutcome? Emergency { get; internal set; }

    /// <summary>The registro's and status's spelling of the trading state (ACTIVE, HALTED).</summary>
    public string TradingStateText => TradingState switch
    {
        TradingState.Active => "ACTIVE", // every row carries it: a constant, not an enum name upper-cased per row
        TradingState.Halted => "HALTED",
        var other => other.ToString().ToUpperInvariant(),
    };
}

/// <summary>One registro row just written, with what it did to the statistics.</summary>
/// <param name="OrderFilled">An order (or the emergency/final close) filled on this row.</param>
/// <param name="TradeClosed">A trade was closed completely on this row.</param>
public sealed record StepRecorded(RegistroRow Row, bool OrderFilled, bool TradeClosed);

/// <summary>
/// Something that watches a session without being part of its loop: the status file, the statistics, the console.
/// Called on the loop's thread, in order; an exception from an observer is a fault of the session (it ends through
/// the host, with the emergency protocol).
/// </summary>
public interface ISessionObserver
{
    /// <summary>The session's state changed (Starting → Running → Stopped/Failed).</summary>
    void OnStateChanged(SessionState state, string? reason, SessionProgress progress) { }

    /// <summary>A registro row was written.</summary>
    void OnStep(StepRecorded step, SessionProgress progress) { }

    /// <summary>The book was brought to the venue's position.</summary>
    void OnReconciled(SessionProgress progress) { }
}
