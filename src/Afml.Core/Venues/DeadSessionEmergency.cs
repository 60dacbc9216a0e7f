using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;
using Afml.Core.Recording;
using Afml.Core.Risk;
using Afml.Core.Session;

namespace Afml.Core.Venues;

/// <summary>
/// The emergency protocol for a session whose process is gone (crashed, killed, machine rebooted): run from the
/// operator's shell against the venue the session's status file names (venue kind and endpoint; credentials from
/// the same variables or given). Holds the account+symbol lock meanwhile (a session that still holds it is alive:
/// <c>SessionConflict</c>), latches the training HALTED, appends an emergencias row and records the outcome in the
/// dead session's status file.
/// The protective stop the session left (<see cref="ProtectiveStopGuardFile"/>) is dealt with too: the protocol cancels
/// the symbol's conditional orders once flat, and the recorded stop is then looked up by its id (idempotent: already
/// cancelled or gone is fine). One that triggered while the session was dead is reported and latched as
/// <c>stop_proteccion</c>, as the next start would; the guard file is cleared only once the stop is known not to rest.
/// A guard file of another account (its fingerprint) refuses the whole emergency before anything is sent: these
/// credentials are not the session's.
/// </summary>
public sealed class DeadSessionEmergency(TimeProvider time, EmergencyProtocolOptions? protocol = null, string? lockDirectory = null)
{
    /// <summary>The venue a status names; refused for replay and paper (nothing is open at a venue) and for a status
    /// that does not record one (written by an older version).</summary>
    public static BinanceEnvironment EnvironmentOf(SessionStatus s)
    {
        if (s.VenueKind is nameof(VenueKind.Replay) or nameof(VenueKind.Paper))
            throw new AfmlException("NothingAtVenue", AfmlErrorCategory.InvalidOperation,
                $"Session {s.SessionId} ran on {s.VenueKind} ({s.Venue}): its fills were simulated, nothing is open at a venue.", s.SessionId);
        if (s.VenueKind is null || string.IsNullOrEmpty(s.Endpoint) || !Uri.TryCreate(s.Endpoint, UriKind.Absolute, out var endpoint))
            throw new AfmlException("VenueUnknown", AfmlErrorCategory.InvalidData,
                $"The status of session {s.SessionId} does not record its venue kind and endpoint; close the position at the venue by hand.", s.StatusPath ?? s.SessionId);
        return BinanceEnvironment.Local(endpoint, s.Venue, isLive: s.VenueKind == nameof(VenueKind.Live));
    }

    public static bool IsLive(SessionStatus s) => s.VenueKind == nameof(VenueKind.Live);

    /// <param name="gates">The process's per-host rate gates (the PowerShell module's), so a ban another session of
    /// this process met is honoured here too; null: a gate of its own.</param>
    public async Task<EmergencyResult> RunAsync(SessionStatus status, string productionDir, BinanceCredentials credentials, string reason,
        string requestedBy, CancellationToken ct, Action<EmergencyAttempt>? onAttempt = null, BinanceOptions? clientOptions = null, BinanceRateGates? gates = null)
    {
        var environment = EnvironmentOf(status);
        var fullReason = $"solicitud_operador: {reason} ({requestedBy}) · sesión {status.SessionId} sin proceso";
        var guardFile = new ProtectiveStopGuardFile(productionDir);
        var accountHash = SessionLock.AccountHash(credentials.ApiKey);
        var left = guardFile.Read() is { } g && g.IsFor(status.Venue, status.Symbol) ? g : null;
        if (left is not null) guardFile.ThrowIfOtherAccount(left, accountHash);
        using var accountLock = SessionLock.Acquire($"{environment.Name}|{environment.Rest}", accountHash, status.Symbol,
            new SessionLockHolder($"emergency-{status.SessionId}", status.TrainId, Environment.ProcessId, time.GetUtcNow(), status.StatusPath), lockDirectory);
        var latch = new TrainingHaltLatch(productionDir);
        var halt = new HaltRecord
        {
            HaltedAt = time.GetUtcNow(), Reason = fullReason, TrainId = status.TrainId, SessionId = status.SessionId,
            Venue = status.Venue, Symbol = status.Symbol, HaltedBy = requestedBy,
        };
        latch.Write(halt);

        await using var exchange = new BinanceExchange(environment, credentials, time, clientOptions, rateGate: gates?.For(environment, clientOptions));
        var tag = $"{status.SessionId}-x{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2))}";
        var outcome = await new EmergencyProtocol(exchange, time, protocol)
            .RunAsync(status.Symbol, fullReason, ClientOrderIds.For(tag, 0), status.Price, ct, onAttempt).ConfigureAwait(false);
        var (stopNote, stopTriggered, stopProblem) = left is null ? (null, null, null) : await SettleStopAsync(exchange, status.Symbol, left, outcome.Complete, guardFile, ct).ConfigureAwait(false);
        if (stopTriggered is not null)
        {
            // Latched as the next start would have: the stop's trigger is why the training halted.
            fullReason = $"{stopTriggered} · {fullReason}";
            halt = halt with { Reason = fullReason };
        }
        latch.Write(halt with { EmergencyState = outcome.State, StillOpen = outcome.StillOpen });

        var account = await exchange.GetAccountAsync(ct).ConfigureAwait(false);
        string? emergencyPath = null;
        using (var writer = new EmergencyWriter(productionDir, time.GetLocalNow()))
        {
            writer.Write(new EmergencyRecord(time.GetUtcNow(), fullReason,
                account.Success ? account.Data!.WalletBalance : double.NaN, account.Success ? account.Data!.MarginBalance : double.NaN,
                outcome.PositionsClosed, stopNote is null ? outcome.Describe() : $"{outcome.Describe()} · {stopNote}"));
            emergencyPath = writer.Path;
        }

        if (status.StatusPath is { } path)
        {
            SessionStatusFile.Rewrite(path, status with
            {
                State = SessionState.Stopped.ToText(),
                TradingState = "HALTED",
                StopReason = $"{status.StopReason ?? "proceso terminado"} · emergencia desde otra consola: {outcome.State}",
                Position = outcome.Complete ? null : status.Position,
                PositionQuantity = outcome.Complete ? 0 : Math.Abs(outcome.RemainingQuantity),
                EmergencyState = outcome.State,
                EmergencyOpen = outcome.Complete ? null : outcome.StillOpen,
                EmergencyPath = emergencyPath,
                UpdatedAt = time.GetUtcNow(),
            });
        }

        return new EmergencyResult
        {
            TrainId = status.TrainId,
            SessionId = status.SessionId,
            Venue = status.Venue,
            Symbol = status.Symbol,
            Mode = "Direct",
            State = outcome.State,
            PositionsClosed = outcome.PositionsClosed,
            ClosedQuantity = outcome.CloseFill?.ExecutedQuantity ?? 0,
            OrdersCancelled = outcome.OrdersCancelled,
            StillOpen = outcome.Complete ? null : outcome.StillOpen,
            Problems = stopProblem is null ? outcome.Problems : [.. outcome.Problems, stopProblem],
            At = time.GetUtcNow(),
            EmergencyPath = emergencyPath,
            ProtectiveStop = stopNote,
        };
    }

    /// <summary>The recorded stop after the protocol. Flat: cancelled by its id (the protocol's cancel of every conditional
    /// order may have done it: -2011 is then read back as CANCELED); not flat: only looked up, a resting stop still guards
    /// what is open. Returns what became of it, the stop_proteccion reason when it had triggered, and a problem when its
    /// state stayed unknown (the guard file is then kept).</summary>
    private static async Task<(string Note, string? Triggered, string? Problem)> SettleStopAsync(BinanceExchange exchange, string symbol, ProtectiveStopGuard left,
        bool flat, ProtectiveStopGuardFile guardFile, CancellationToken ct)
    {
        var id = left.ClientAlgoId;
        var ended = flat
            ? await exchange.CancelStopAsync(symbol, id, ct).ConfigureAwait(false)
            : await exchange.QueryStopAsync(symbol, id, ct).ConfigureAwait(false);
        if (!ended.Success)
        {
            var problem = $"stop de protección {id}: estado desconocido ({ended.Error}); {guardFile.Path} se conserva";
            return (problem, null, problem);
        }
        if (ended.Data is { HasTriggered: true } triggered)
        {
            guardFile.Delete();
            var why = ProtectiveStopKeeper.TriggeredWhileAway(left, triggered);
            return (why, why, null);
        }
        if (ended.Data is { IsResting: true } resting)
            return ($"stop de protección {id} ({left.Side} @ {resting.TriggerPrice}) sigue en el venue: guarda la posición aún abierta", null, null);
        guardFile.Delete();
        return (ended.Data is null ? $"stop de protección {id}: el venue no lo tiene" : $"stop de protección {id} cancelado ({ended.Data.Status})", null, null);
    }
}
