using System.Management.Automation;
using Afml.Core;
using Afml.Core.Session;

namespace Afml.PowerShell.Commands;

/// <summary>
/// <c>Start-AfmlSession -AsJob</c>: one session running in this process as a PowerShell job, so one host can run
/// several. <c>Get-Job</c> lists it, <c>Receive-Job</c> gives its log lines (information, warnings; error-level lines
/// in red), its step rows with -PassThru, its summary and, when it ended in the emergency protocol, the
/// <c>SessionHalted</c>/<c>SessionFailed</c> error; <c>Wait-Job</c> waits for its end; <c>Stop-Job</c> is a clean stop
/// through the <see cref="SessionHost"/>'s own stop path (as Ctrl+C), waiting for the summary.
/// Ends Completed on a clean end, Stopped after Stop-Job, Failed on an emergency or a failure.
/// </summary>
public sealed class AfmlSessionJob : Job
{
    private const string StopDetail = "Stop-Job";
    private readonly SessionHost _session;
    private readonly bool _passThru;
    private readonly bool _debug;
    private volatile bool _stopRequested;
    private volatile string _statusMessage = "starting";
    private Task? _pump;

    internal AfmlSessionJob(string command, string name, SessionHost session, bool passThru, bool debug)
        : base(command, name)
    {
        _session = session;
        _passThru = passThru;
        _debug = debug;
        PSJobTypeName = nameof(AfmlSessionJob);
    }

    /// <summary>The training this job trades.</summary>
    public string TrainId => _session.Parts.Config.TrainId;

    /// <summary>The session's id (its registro and status files are stamped with it).</summary>
    public string SessionId => _session.Parts.SessionId;

    public override string StatusMessage => _statusMessage;

    public override string Location => Environment.MachineName;

    public override bool HasMoreData =>
        Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Information.Count > 0 || Verbose.Count > 0 || Debug.Count > 0 || Progress.Count > 0;

    internal void Start()
    {
        SetJobState(JobState.Running);
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Stop-Job: the session's clean stop (statistics, final status, -FlattenOnStop honoured), waited for.</summary>
    public override void StopJob()
    {
        if (IsFinishedState(JobStateInfo.State)) return;
        _stopRequested = true;
        _session.Stop(SessionStopReason.Cancelled, StopDetail);
        Finished.WaitOne();
    }

    private async Task PumpAsync()
    {
        Exception? error = null;
        SessionSummary? summary = null;
        try
        {
            foreach (var w in _session.Warnings) Warning.Add(new WarningRecord(w));
            var reader = _session.Events;
            var registro = _session.Parts.Registro.Path;
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var e))
                {
                    switch (e)
                    {
                        case SessionLog { Level: SessionLogLevel.Error } log: Info(log.Message, ConsoleColor.Red); break;
                        case SessionLog { Level: SessionLogLevel.Warning } log: Warning.Add(new WarningRecord(log.Message)); break;
                        case SessionLog { Level: SessionLogLevel.Debug } log: if (_debug) Debug.Add(new DebugRecord(log.Message)); break;
                        case SessionLog log: Info("INFO - " + log.Message, null); break;
                        case SessionStep step:
                            _statusMessage = $"paso {step.Completed}{(step.Total is { } t ? "/" + t : "")}";
                            if (_passThru) Output.Add(PSObject.AsPSObject(SessionOutcome.Row(step, SessionId, registro)));
                            break;
                    }
                }
            }
            summary = await _session.Completion.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            try { await _session.DisposeAsync().ConfigureAwait(false); } catch (Exception) { /* reported through Completion */ }
        }

        ErrorRecord? record = null;
        if (summary is not null)
        {
            Output.Add(PSObject.AsPSObject(summary));
            record = SessionOutcome.ErrorFor(summary);
            _statusMessage = $"{summary.StopReason} after {summary.Steps} step(s)";
        }
        else if (error is not null)
        {
            record = error is AfmlException a
                ? AfmlCmdlet.ToErrorRecord(a)
                : new ErrorRecord(error, SessionOutcome.FailedId, ErrorCategory.NotSpecified, TrainId);
            _statusMessage = error.Message;
        }
        if (record is not null) Error.Add(record);
        var state = record is not null ? JobState.Failed : _stopRequested ? JobState.Stopped : JobState.Completed;
        SetJobState(state);
    }

    private void Info(string message, ConsoleColor? color)
    {
        var m = new HostInformationMessage { Message = message };
        if (color is { } c) m.ForegroundColor = c;
        Information.Add(new InformationRecord(m, "Afml") { Tags = { "PSHOST", "Afml" } });
    }

    private static bool IsFinishedState(JobState s) => s is JobState.Completed or JobState.Failed or JobState.Stopped;

    protected override void Dispose(bool disposing)
    {
        if (disposing && !IsFinishedState(JobStateInfo.State))
        {
            // Remove-Job -Force on a running job: the session still ends through its own stop path.
            StopJob();
        }
        base.Dispose(disposing);
    }
}
