namespace Afml.Core.Session;

/// <summary>What <c>Invoke-AfmlEmergency</c> did for one session.</summary>
public sealed record EmergencyResult
{
    public required string TrainId { get; init; }
    public required string SessionId { get; init; }
    public string? Venue { get; init; }
    public string? Symbol { get; init; }
    /// <summary>Requested (sent, not waited for: -NoWait), Acknowledged (the running session acted and answered), Direct
    /// (the session was not running: the protocol ran from this shell against its venue).</summary>
    public required string Mode { get; init; }
    /// <summary>FLAT or EMERGENCY_INCOMPLETE; null when not known (-NoWait).</summary>
    public string? State { get; init; }
    public int PositionsClosed { get; init; }
    /// <summary>Base quantity the protocol closed: from this shell's own close (Direct) or from the running session's
    /// acknowledgement (Acknowledged); 0 when nothing was open or not known (-NoWait).</summary>
    public double ClosedQuantity { get; init; }
    public int OrdersCancelled { get; init; }
    /// <summary>What is still open, in words (EMERGENCY_INCOMPLETE).</summary>
    public string? StillOpen { get; init; }
    public IReadOnlyList<string> Problems { get; init; } = [];
    public string? RequestId { get; init; }
    public DateTimeOffset At { get; init; }
    public string? EmergencyPath { get; init; }
    /// <summary>Direct: what became of the protective stop the dead session left (produccion/afml_stop.json): cancelled,
    /// gone, triggered while the session was dead, or left guarding a position still open; null when none was recorded.</summary>
    public string? ProtectiveStop { get; init; }
}
