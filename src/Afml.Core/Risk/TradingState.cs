namespace Afml.Core.Risk;

/// <summary>
/// Whether the session may add exposure. HALTED is latched by the emergency protocol: from then on only closes
/// and cancels pass, and nothing un-halts it inside the session (the operator starts a new one).
/// </summary>
public enum TradingState
{
    Active,
    Halted,
}

/// <summary>The latch itself: one-way from Active to Halted, with the reason kept.</summary>
public sealed class TradingStateLatch
{
    public TradingState State { get; private set; } = TradingState.Active;
    public string? Reason { get; private set; }
    public DateTimeOffset? HaltedAt { get; private set; }

    /// <summary>Halts; the first reason wins. Returns true when this call did the halting.</summary>
    public bool Halt(string reason, DateTimeOffset at)
    {
        if (State == TradingState.Halted) return false;
        State = TradingState.Halted;
        Reason = reason;
        HaltedAt = at;
        return true;
    }

    /// <summary>True when an order of this kind may go out in the current state.</summary>
    public bool Allows(bool reducesExposure) => State == TradingState.Active || reducesExposure;
}
