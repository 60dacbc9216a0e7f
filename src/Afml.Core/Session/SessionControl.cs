using System.Text.Json;
using Afml.Core.Recording;
using Afml.Core.Risk;

namespace Afml.Core.Session;

/// <summary>
/// Requests from another shell to a running session, as a file next to its status file
/// (<c>sesion_&lt;id&gt;.control.json</c>). The session takes it at its next step and deletes it; once it has acted it
/// answers with <c>sesion_&lt;id&gt;.ack.json</c> (<see cref="ControlAck"/>) naming the request's <see cref="Id"/>.
/// </summary>
public sealed record ControlRequest(string Command, string Reason, DateTimeOffset RequestedAt, string RequestedBy)
{
    public const string Emergency = "emergency";

    /// <summary>Names the request in the session's acknowledgement.</summary>
    public string Id { get; init; } = Guid.NewGuid().ToString("N");
}

/// <summary>A session's answer to a <see cref="ControlRequest"/>: what the emergency protocol did.</summary>
/// <param name="State">FLAT or EMERGENCY_INCOMPLETE.</param>
/// <param name="StillOpen">What is still open, in words (empty when flat).</param>
/// <param name="ClosedQuantity">Base quantity the protocol's close order filled (0 when nothing was open; absent in an
/// acknowledgement written before it existed).</param>
public sealed record ControlAck(
    string RequestId,
    string Command,
    string SessionId,
    DateTimeOffset AcknowledgedAt,
    string State,
    int PositionsClosed,
    int OrdersCancelled,
    string StillOpen,
    IReadOnlyList<string> Problems,
    double ClosedQuantity = 0)
{
    public static ControlAck For(ControlRequest request, string sessionId, EmergencyOutcome outcome, DateTimeOffset at) =>
        new(request.Id, request.Command, sessionId, at, outcome.State, outcome.PositionsClosed, outcome.OrdersCancelled, outcome.StillOpen, outcome.Problems,
            outcome.CloseFill?.ExecutedQuantity ?? 0);
}

public static class SessionControl
{
    public static string ControlPathFor(string statusPath) =>
        statusPath.EndsWith(".status.json", StringComparison.Ordinal)
            ? statusPath[..^".status.json".Length] + ".control.json"
            : statusPath + ".control.json";

    public static string AckPathFor(string statusPath) =>
        statusPath.EndsWith(".status.json", StringComparison.Ordinal)
            ? statusPath[..^".status.json".Length] + ".ack.json"
            : statusPath + ".ack.json";

    public static void Request(string statusPath, ControlRequest request) =>
        DurableFile.WriteAllTextAtomic(ControlPathFor(statusPath), JsonSerializer.Serialize(request));

    /// <summary>The session's answer (written once it has acted on a request).</summary>
    public static void Acknowledge(string statusPath, ControlAck ack) =>
        DurableFile.WriteAllTextAtomic(AckPathFor(statusPath), JsonSerializer.Serialize(ack));

    /// <summary>The acknowledgement of <paramref name="requestId"/>, if the session has written it.</summary>
    public static ControlAck? ReadAck(string statusPath, string requestId)
    {
        try
        {
            var ack = JsonSerializer.Deserialize<ControlAck>(File.ReadAllText(AckPathFor(statusPath)));
            return ack?.RequestId == requestId ? ack : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException) { return null; }
    }

    /// <summary>Waits (polling on <paramref name="time"/>) for the acknowledgement of <paramref name="requestId"/>, at most
    /// <paramref name="timeout"/>, and no longer than <paramref name="stillRunning"/> says the session lives.
    /// Null when none came.</summary>
    public static async Task<ControlAck?> WaitForAckAsync(string statusPath, string requestId, TimeProvider time, TimeSpan timeout,
        Func<bool> stillRunning, CancellationToken ct, TimeSpan? poll = null)
    {
        var every = poll ?? TimeSpan.FromMilliseconds(250);
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            if (ReadAck(statusPath, requestId) is { } ack) return ack;
            if (time.GetUtcNow() >= deadline) return null;
            if (!stillRunning())
                return ReadAck(statusPath, requestId); // it may have answered just before it ended
            await Task.Delay(every, time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Takes (reads and removes) a pending request, if any.</summary>
    public static ControlRequest? Take(string statusPath)
    {
        var path = ControlPathFor(statusPath);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<ControlRequest>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return new ControlRequest(ControlRequest.Emergency, "control file unreadable: treated as an emergency request", DateTimeOffset.UtcNow, "unknown");
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>The liveness rule with the system clock and process table (see <see cref="SessionLiveness"/>): a status
/// that says Running but whose process is gone, reused or silent is reported as <see cref="SessionState.Stale"/>.</summary>
public static class SessionStatusLiveness
{
    public static SessionStatus Resolve(SessionStatus s) => SessionLiveness.System.Resolve(s);
}
