namespace Afml.Core.Session;

public enum SessionStopReason
{
    /// <summary>The replay reached the end of its data (or -To).</summary>
    Completed,
    /// <summary>-MaxSteps reached.</summary>
    MaxSteps,
    /// <summary>Ctrl+C or the caller's cancellation.</summary>
    Cancelled,
    /// <summary>The emergency protocol ran (drawdown, failed operation, operator request, a fault of any part).</summary>
    Emergency,
    /// <summary>SIGTERM or SIGHUP (systemd, a container runtime, a closed terminal): a clean stop.</summary>
    Signal,
    /// <summary>An operator's stop request from another shell (control file <c>{"Command":"stop"}</c>): a clean stop.</summary>
    OperatorStop,
}

/// <summary>Session statistics, returned by <c>Start-AfmlSession</c> at the end.</summary>
public sealed record SessionSummary
{
    public required string TrainId { get; init; }
    public required string Venue { get; init; }
    public required string Symbol { get; init; }
    public required string Interval { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset EndedAt { get; init; }
    public required SessionStopReason StopReason { get; init; }
    public string? StopDetail { get; init; }
    public required string TradingState { get; init; }
    public required int Steps { get; init; }
    public DateTimeOffset? FirstCandle { get; init; }
    public DateTimeOffset? LastCandle { get; init; }
    public required double InitialEquity { get; init; }
    public required double FinalEquity { get; init; }
    public double ReturnPct => InitialEquity > 0 ? (FinalEquity / InitialEquity - 1) * 100 : 0;
    public required double MaxDrawdown { get; init; }
    public required double PnlTotal { get; init; }
    public required int OrdersFilled { get; init; }
    /// <summary>Times the book was brought to the venue's position (live venues only).</summary>
    public int Reconciliations { get; init; }
    public required int TradesClosed { get; init; }
    public required int WinningTrades { get; init; }
    public required IReadOnlyDictionary<string, int> Operations { get; init; }
    public required bool PositionOpen { get; init; }
    public required string RegistroPath { get; init; }
    public string? EmergencyPath { get; init; }
}
