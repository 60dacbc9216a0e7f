using System.Collections.Concurrent;
using System.Management.Automation;
using Afml.Core;
using Afml.Core.Configuration;
using Afml.Core.Exchange.Binance;
using Afml.Core.Risk;
using Afml.Core.Session;
using Afml.Core.Venues;

namespace Afml.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Runs the emergency protocol for a training: cancel its orders, close its position (reduce-only),
/// verify it flat, record it, halt the training.</para>
/// <para type="description">On a running session: sends it the request (from any shell), waits for its
/// acknowledgement (up to -Timeout; -NoWait to return at once) and returns what the protocol did: FLAT, or
/// EMERGENCY_INCOMPLETE with what is still open. On a training whose session is not running (crashed, killed, the
/// machine rebooted), runs the protocol itself against the venue the last session used (its status file names the
/// venue and endpoint; credentials from the same BINANCE_TESTNET_API_KEY/SECRET or BINANCE_API_KEY/SECRET variables,
/// or -Credential), retrying while the venue is unreachable for up to -RetryFor, and says what it closed. Either way
/// the training is latched HALTED until Reset-AfmlEmergency. Status files that cannot be read are skipped with a
/// warning. High impact: asks for confirmation unless -Force; -WhatIf never acts.</para>
/// </summary>
/// <example>
/// <code>Invoke-AfmlEmergency -TrainId $id -Reason 'mercado anómalo' -Force</code>
/// <para>From another shell: the running session of the training closes everything, cancels orders, records the emergency, halts, and this returns its outcome (State FLAT).</para>
/// </example>
/// <example>
/// <code>Get-AfmlStatus -TrainingRoot ./entrenamientos | Where-Object State -eq Stale | Invoke-AfmlEmergency -Force</code>
/// <para>A session whose process died with a position open: the protocol runs from this shell against the venue that session used.</para>
/// </example>
/// <example>
/// <code>Invoke-AfmlEmergency -TrainId $id -NoWait -Force</code>
/// <para>Sends the request to the running session and returns at once (Mode Requested, State unknown).</para>
/// </example>
[Cmdlet(VerbsLifecycle.Invoke, "AfmlEmergency", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(EmergencyResult))]
public sealed class InvokeAfmlEmergencyCommand : AfmlTrainingTargetCmdlet
{
    /// <summary>Only this session (its id, e.g. 20261125_101500); default: the running session(s) of the training, or,
    /// when none runs, its most recent session on a Binance venue.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RunningSessionCompleter))]
    public string? SessionId { get; set; }

    /// <summary>Why: written into the emergencias CSV row, the HALTED latch and the session's stop reason.</summary>
    [Parameter]
    public string Reason { get; set; } = "solicitud manual";

    /// <summary>On a running session: return as soon as the request is sent, without waiting for its acknowledgement.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary>On a running session: how long to wait for its acknowledgement; default 2 minutes.</summary>
    [Parameter]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>On a session that is not running: how long the protocol keeps retrying while the venue is unreachable
    /// before it ends EMERGENCY_INCOMPLETE; default 5 minutes.</summary>
    [Parameter]
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>On a session that is not running: API key (user name) and secret (password) of the account; default the
    /// variables the session read (BINANCE_TESTNET_API_KEY/SECRET, or BINANCE_API_KEY/SECRET for a live session).</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    protected override void ProcessRecord()
    {
        if (OpenTraining() is not { } folder) return;

        var statuses = ReadStatuses(folder.ProductionDir)
            .Where(s => SessionId is null || s.SessionId == SessionId)
            .ToList();
        var running = statuses.Where(s => SessionStateText.IsActive(s.State)).ToList();
        if (running.Count > 0)
        {
            foreach (var status in running) RequestFromRunning(status);
            return;
        }

        var last = statuses
            .Where(s => s.VenueKind is nameof(VenueKind.Testnet) or nameof(VenueKind.Live))
            .OrderByDescending(s => s.StartedAt)
            .FirstOrDefault();
        if (last is null)
        {
            WriteError(new ErrorRecord(new InvalidOperationException(
                    $"No running session of '{TrainId}'{(SessionId is null ? "" : $" with id {SessionId}")} under '{folder.ProductionDir}', and no earlier session on a Binance venue whose position could still be open."),
                "NoRunningSession", ErrorCategory.ObjectNotFound, TrainId));
            return;
        }
        RunDirect(folder, last);
    }

    /// <summary>Every readable status of the training, resolved for liveness; unreadable ones are skipped with a warning
    /// (an unrelated broken file never blocks an emergency).</summary>
    private List<SessionStatus> ReadStatuses(string dir)
    {
        var list = new List<SessionStatus>();
        if (!Directory.Exists(dir)) return list;
        foreach (var file in Directory.EnumerateFiles(dir, "sesion_*.status.json"))
        {
            try { list.Add(SessionStatusLiveness.Resolve(SessionStatusFile.Read(file))); }
            catch (AfmlException ex) { WriteWarning($"Skipped {file}: {ex.Message}"); }
        }
        return list;
    }

    /// <summary>-WhatIf never acts (even with -Force); -Force skips the question (see <see cref="HighImpact"/>).</summary>
    private bool Confirm(string target, string action) => HighImpact.Allows(this, Force, target, action);

    private void RequestFromRunning(SessionStatus status)
    {
        var target = $"running session {status.SessionId} of {TrainId} ({status.Venue}, {status.Symbol})";
        if (!Confirm(target, "Close all positions, cancel all orders and halt")) return;
        var statusPath = status.StatusPath!;
        var request = new ControlRequest(ControlRequest.Emergency, Reason, DateTimeOffset.UtcNow, $"{Environment.UserName}@{Environment.MachineName}");
        SessionControl.Request(statusPath, request);
        var result = new EmergencyResult
        {
            TrainId = TrainId, SessionId = status.SessionId, Venue = status.Venue, Symbol = status.Symbol,
            Mode = "Requested", RequestId = request.Id, At = request.RequestedAt,
        };
        if (NoWait)
        {
            WriteObject(result);
            return;
        }
        WriteVerbose($"Waiting up to {Timeout} for session {status.SessionId} to acknowledge request {request.Id}");
        ControlAck? ack;
        try
        {
            ack = SessionControl.WaitForAckAsync(statusPath, request.Id, TimeProvider.System, Timeout, () => StillRunning(statusPath), StopToken)
                .GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) { return; }
        if (ack is null)
        {
            WriteError(new ErrorRecord(new TimeoutException(
                    $"Session {status.SessionId} did not acknowledge the emergency request {request.Id} within {Timeout} (or ended without acting on it); check Get-AfmlStatus -TrainId {TrainId} -All."),
                "EmergencyNotAcknowledged", ErrorCategory.OperationTimeout, status.SessionId));
            return;
        }
        WriteObject(result with
        {
            Mode = "Acknowledged", State = ack.State, PositionsClosed = ack.PositionsClosed, ClosedQuantity = ack.ClosedQuantity, OrdersCancelled = ack.OrdersCancelled,
            StillOpen = string.IsNullOrEmpty(ack.StillOpen) ? null : ack.StillOpen, Problems = ack.Problems, At = ack.AcknowledgedAt,
        });
        if (ack.State != EmergencyStates.Flat) WriteErrorLine($"{EmergencyStates.Incomplete}: {ack.StillOpen}");
    }

    private static bool StillRunning(string statusPath)
    {
        try { return SessionStateText.IsActive(SessionStatusLiveness.Resolve(SessionStatusFile.Read(statusPath)).State); }
        catch (AfmlException) { return true; } // being replaced right now: keep waiting until the timeout
    }

    private void RunDirect(TrainingFolder folder, SessionStatus status)
    {
        var target = $"{status.Venue} at {status.Endpoint}, {status.Symbol}: session {status.SessionId} of {TrainId} is not running ({status.State}{(status.Position is null ? "" : $", left {status.Position} {status.PositionQuantity}")})";
        if (!Confirm(target, "Cancel all orders, close the position (reduce-only) from this shell, verify flat and halt the training")) return;

        BinanceCredentials credentials;
        try
        {
            credentials = Credential is { } c
                ? new BinanceCredentials(c.UserName, c.GetNetworkCredential().Password)
                : BinanceCredentials.FromEnvironment(testnet: !DeadSessionEmergency.IsLive(status));
        }
        catch (AfmlException ex) { WriteAfmlError(ex); return; }

        var attempts = new BlockingCollection<EmergencyAttempt>();
        var by = $"{Environment.UserName}@{Environment.MachineName}";
        var run = Task.Run(async () =>
        {
            try
            {
                return await new DeadSessionEmergency(TimeProvider.System, new EmergencyProtocolOptions(GiveUpAfter: RetryFor))
                    .RunAsync(status, folder.ProductionDir, credentials, Reason, by, StopToken, attempts.Add, gates: Hosting.AfmlProcess.RateGates).ConfigureAwait(false);
            }
            finally { attempts.CompleteAdding(); }
        });
        // Every attempt shown as it happens, from the pipeline thread.
        foreach (var a in attempts.GetConsumingEnumerable())
        {
            if (a.Success) WriteVerbose($"Emergencia {a}");
            else WriteErrorLine($"Emergencia {a}"); // red, as the session's own protocol lines
        }
        EmergencyResult result;
        try { result = run.GetAwaiter().GetResult(); }
        catch (AfmlException ex) { WriteAfmlError(ex); return; }
        catch (OperationCanceledException) { return; }
        WriteObject(result);
        if (result.State != EmergencyStates.Flat) WriteErrorLine($"{EmergencyStates.Incomplete}: {result.StillOpen}");
    }
}
