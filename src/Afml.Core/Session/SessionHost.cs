using System.Runtime.InteropServices;
using System.Threading.Channels;
using Afml.Core.Risk;

namespace Afml.Core.Session;

/// <summary>How a <see cref="SessionHost"/> runs its session; the defaults are the cmdlet's.</summary>
public sealed record SessionHostOptions
{
    public TimeProvider Time { get; init; } = TimeProvider.System;
    /// <summary>Console lines below this level are never built (<c>-Quiet</c>: <see cref="SessionLogLevel.Warning"/>).</summary>
    public SessionLogLevel LogLevel { get; init; } = SessionLogLevel.Debug;
    /// <summary>A clean end (completion, -MaxSteps, Ctrl+C, signal, operator stop) closes the position first.</summary>
    public bool FlattenOnStop { get; init; }
    /// <summary>SIGTERM and SIGHUP stop the session cleanly instead of killing the process (the cmdlet turns this on;
    /// in-process tests simulate a signal with <see cref="SessionHost.Stop"/>).</summary>
    public bool HandleSignals { get; init; }
    /// <summary>How long the emergency protocol keeps trying while the venue is unreachable; default 5 minutes.</summary>
    public Risk.EmergencyProtocolOptions? Emergency { get; init; }
    /// <summary>The seam for tests: swap parts (policy, exchange, feed) after the build, before the run.</summary>
    public Func<SessionParts, SessionParts>? Adjust { get; init; }
    /// <summary>Orders and the emergency protocol; default the seed's 3 attempts 1 s apart.</summary>
    public OperationRetry? Retry { get; init; }
    /// <summary>Reads of account and position state; default <see cref="OperationRetry.StateReads"/>.</summary>
    public OperationRetry? StateRetry { get; init; }
    /// <summary>How often the status file is rewritten at most while stepping, and the heartbeat while waiting.</summary>
    public TimeSpan? StatusInterval { get; init; }
    /// <summary>Which steps become <see cref="SessionStep"/> events: every one (a caller that streams each row,
    /// <c>-PassThru</c>, tests that wait for a step), or only what a progress bar needs, so that a fast replay does not
    /// wake the events' reader, on another thread, at every step.</summary>
    public SessionStepEvents StepEvents { get; init; } = SessionStepEvents.Every;
}

/// <summary>Which steps a <see cref="SessionHost"/> publishes as <see cref="SessionStep"/> events.</summary>
public enum SessionStepEvents
{
    /// <summary>Every step (each registro row reaches the caller).</summary>
    Every,
    /// <summary>A step when <see cref="SessionConsole.ProgressInterval"/> has passed since the last one published (a
    /// live session's steps, a candle apart, all pass), the first step and the last expected one.</summary>
    Progress,
}

/// <summary>
/// Owns one session's lifetime: build → run → events → final status → dispose. Every end passes through it —
/// completion, -MaxSteps, Ctrl+C (<see cref="Stop"/>), SIGTERM/SIGHUP, an operator's stop or emergency request, the
/// emergency protocol, and any exception from any part (venue data, disk, bugs, or the caller's own failure via
/// <see cref="Fault"/>). A fault after the start runs the emergency protocol; a clean stop runs the clean stop
/// (closing the position with <see cref="SessionHostOptions.FlattenOnStop"/>, else saying how to close it). Every
/// end prints the statistics and writes a final status that is never Running. The parts built are disposed
/// whatever happens, also when the build itself fails half-way.
/// </summary>
public sealed class SessionHost : IAsyncDisposable
{
    private readonly SessionHostOptions _options;
    private readonly Channel<SessionEvent> _events = Channel.CreateUnbounded<SessionEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly SessionFactory.Built _built;
    private readonly List<IDisposable> _signals = [];
    private SessionStopReason _stopReason = SessionStopReason.Cancelled;
    private string? _stopDetail;
    private Exception? _fault;

    private SessionHost(SessionOptions options, SessionHostOptions hostOptions)
    {
        _options = hostOptions;
        var time = hostOptions.Time;
        Log = new SessionLogger(_events.Writer, time, hostOptions.LogLevel);
        _built = new SessionFactory(time).Create(options, m => Log.Warning(m));
        try
        {
            Parts = hostOptions.Adjust is { } adjust ? adjust(_built.Parts) : _built.Parts;
        }
        catch
        {
            _built.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>Builds the session (an <see cref="AfmlException"/> here means nothing was started and nothing is
    /// left open) and starts running it.</summary>
    public static SessionHost Start(SessionOptions options, SessionHostOptions? hostOptions = null)
    {
        var host = new SessionHost(options, hostOptions ?? new SessionHostOptions());
        host.Completion = Task.Run(host.RunAsync);
        return host;
    }

    public SessionParts Parts { get; }
    public SessionLogger Log { get; }
    /// <summary>Warnings of the build (filled candles, a -From before the warm-up).</summary>
    public IReadOnlyList<string> Warnings => _built.Warnings;
    /// <summary>Console lines and steps, in order; completed when the session has ended and its parts are disposed.</summary>
    public ChannelReader<SessionEvent> Events => _events.Reader;
    /// <summary>The statistics of the session once it has ended; faulted only when it never started (the
    /// <see cref="AfmlException"/> that refused it, or the error that kept it from starting).</summary>
    public Task<SessionSummary> Completion { get; private set; } = null!;
    /// <summary>The status file's writer, once the session runs.</summary>
    public SessionStatusWriter? Status { get; private set; }
    /// <summary>The drawdown monitor between candles, once the session runs (null where the session has no marks).</summary>
    public DrawdownMonitor? Monitor { get; private set; }

    /// <summary>Asks for a clean stop (Ctrl+C, a signal, a caller's timeout). The first reason given wins.</summary>
    public void Stop(SessionStopReason reason = SessionStopReason.Cancelled, string? detail = null)
    {
        lock (_gate)
        {
            if (_stop.IsCancellationRequested) return;
            (_stopReason, _stopDetail) = (reason, detail);
        }
        TryCancel();
    }

    /// <summary>Something outside the loop failed while it ran (the caller could not write to its host, a status
    /// heartbeat could not be written): the session ends through the emergency protocol.</summary>
    public void Fault(Exception error)
    {
        lock (_gate)
        {
            _fault ??= error;
        }
        TryCancel();
    }

    private void TryCancel()
    {
        try { _stop.Cancel(); } catch (ObjectDisposedException) { }
    }

    private async Task<SessionSummary> RunAsync()
    {
        var time = _options.Time;
        var statistics = new SessionStatistics(Parts, time);
        // The drawdown monitor between candles, where the session has marks (paper, testnet, live; replay -GuardIntraCandle).
        var monitor = Parts.Marks is null ? null
            : new DrawdownMonitor(new DrawdownRule(Parts.Config.Environment.MaxDrawdown), Parts.Config.Market.Symbol, Parts.Config.Portfolio.Slippage, m => Log.Warning(m));
        Monitor = monitor;
        using var status = new SessionStatusWriter(Parts, time, Fault, _options.StatusInterval) { Marks = monitor is null ? null : () => monitor.LastMark };
        Status = status;
        var console = new SessionConsole(Log, _events.Writer, time, Parts.ExpectedSteps, _options.StepEvents);
        ISessionObserver[] observers = monitor is null ? [status, statistics, console] : [status, statistics, console, new DrawdownMonitorTracking(monitor, Parts.Book)];
        var session = new TradingSession(Parts, time, Log, observers, _options.Retry, _options.StateRetry, _options.Emergency, monitor);
        var started = false;
        try
        {
            RegisterSignals();
            session.Announce(SessionState.Starting, null);
            SessionEnd end;
            Exception? fault = null;
            try
            {
                end = await session.RunAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                end = new SessionEnd(SessionStopReason.Cancelled);
            }
            catch (Exception ex) when (status.Current.State == SessionState.Starting.ToText())
            {
                // Refused or failed before the first decision: nothing was traded, nothing of ours is open.
                var reason = ex is AfmlException a ? $"{a.ErrorId}: {a.Message}" : $"{ex.GetType().Name}: {ex.Message}";
                status.WriteFinal(SessionState.Failed, reason, session.Progress);
                Log.Error($"❌ La sesión no arrancó: {reason}");
                throw;
            }
            catch (Exception ex)
            {
                fault = ex;
                end = new SessionEnd(SessionStopReason.Emergency);
            }
            started = true;
            // A fault from outside the loop (the caller, the heartbeat) counts unless the protocol already ran.
            if (fault is null && end.Reason != SessionStopReason.Emergency) lock (_gate) fault = _fault;

            if (fault is not null)
            {
                end = new SessionEnd(SessionStopReason.Emergency, await EmergencyOnFaultAsync(session, fault).ConfigureAwait(false));
            }
            else if (end.Reason == SessionStopReason.Cancelled)
            {
                lock (_gate) end = new SessionEnd(_stopReason, _stopDetail ?? (_stopReason == SessionStopReason.Cancelled ? "detenido por el usuario (Ctrl+C)" : null));
                Log.Warning($"⏹️ Sesión detenida{(end.Reason == SessionStopReason.Cancelled ? " por el usuario" : $": {end.Reason}")}{(end.Detail is null ? "" : $" ({end.Detail})")}");
            }
            if (end.Reason != SessionStopReason.Emergency && _options.FlattenOnStop)
            {
                try
                {
                    if (await session.FlattenAsync().ConfigureAwait(false) is { } emergency) end = new SessionEnd(SessionStopReason.Emergency, emergency);
                }
                catch (Exception ex)
                {
                    end = new SessionEnd(SessionStopReason.Emergency, await EmergencyOnFaultAsync(session, ex).ConfigureAwait(false));
                }
            }
            var summary = statistics.Summarize(session.Progress, end.Reason, end.Detail);
            SessionStatistics.Print(summary, Log);
            WarnIfOpen(summary);
            Parts.Registro.Flush(); // a replay's buffered rows are in the file before the status says it stopped
            if (status.WriteFinal(SessionState.Stopped, end.Detail is null ? end.Reason.ToString() : $"{end.Reason}: {end.Detail}", session.Progress) is { } statusError)
                Log.Error($"❌ No se pudo escribir el estado final en {Parts.Status.Path}: {statusError.Message}");
            return summary;
        }
        finally
        {
            if (started && status.Current.State is var s && s != SessionState.Stopped.ToText() && s != SessionState.Failed.ToText())
                status.WriteFinal(SessionState.Stopped, "ended by an error while ending", null);
            foreach (var r in _signals) r.Dispose();
            try { await _built.DisposeAsync().ConfigureAwait(false); }
            catch (Exception ex) { Log.Warning($"Al cerrar la sesión: {ex.GetType().Name}: {ex.Message}"); }
            _events.Writer.TryComplete();
        }
    }

    /// <summary>A fault of any part: the emergency protocol, whatever else fails meanwhile.</summary>
    private async Task<string> EmergencyOnFaultAsync(TradingSession session, Exception fault)
    {
        var reason = $"fallo_interno: {fault.GetType().Name}: {fault.Message}";
        Log.Error($"💥 Fallo durante la sesión: {fault}");
        try
        {
            return await session.EmergencyOnFaultAsync(reason).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.Error($"❌ El protocolo de emergencia falló: {ex.GetType().Name}: {ex.Message}");
            return reason + $" · protocolo fallido: {ex.Message}";
        }
    }

    /// <summary>A position left open on a real venue is said, with the command that closes it.</summary>
    private void WarnIfOpen(SessionSummary summary)
    {
        if (!summary.PositionOpen || !Parts.Venue.HoldsRealPositions) return;
        var p = Parts.Book.Position;
        Log.Warning($"⚠️ La posición {p?.Side.ToString().ToLowerInvariant()} {p?.Quantity} {summary.Symbol} sigue ABIERTA en {summary.Venue}. Ciérrala con: Invoke-AfmlEmergency -TrainId '{summary.TrainId}' -Reason 'cierre manual'  (o arranca con -FlattenOnStop para cerrarla al detener)");
    }

    private void RegisterSignals()
    {
        if (!_options.HandleSignals || OperatingSystem.IsWindows()) return;
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            _signals.Add(PosixSignalRegistration.Create(signal, ctx =>
            {
                ctx.Cancel = true; // no abrupt exit: the session stops cleanly and writes its final status
                Stop(SessionStopReason.Signal, ctx.Signal.ToString());
            }));
        }
    }

    /// <summary>Stops the session if it still runs and waits for its end (the loop never outlives its owner).</summary>
    public async ValueTask DisposeAsync()
    {
        Stop();
        if (Completion is { } c)
        {
            try { await c.ConfigureAwait(false); }
            catch (Exception) { /* already reported through Completion */ }
        }
        _stop.Dispose();
    }
}
