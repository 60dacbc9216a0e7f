using System.Management.Automation;
using Afml.Core;
using Afml.Core.Exchange.Binance;
using Afml.Core.Session;

namespace Afml.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Starts a trading session with a trained SAC agent and returns its statistics.</para>
/// <para type="description">Loads entrenamientos/&lt;TrainId&gt;/ (config, scaler, model), warms the indicators up on
/// history and makes one decision per closed candle, writing produccion/registro_*.csv. Without -Replay it trades on
/// Binance USDT-M Futures: the testnet by default (BINANCE_TESTNET_API_KEY/SECRET or -Credential), -Paper for
/// simulated fills on live market data (no credentials), -Live for real money (BINANCE_API_KEY/SECRET; asks for
/// confirmation unless -Force). -Replay runs offline on a candle file with simulated fills. Ctrl+C stops cleanly.
/// Trainings from the pipeline run one after the other, one session each. -AsJob runs the session as a job of this
/// process (Get-Job, Receive-Job, Wait-Job, Stop-Job); -PassThru also returns every step's registro row as it is
/// written. A session that ends in the emergency protocol writes the error SessionHalted (SessionFailed when a fault
/// ended it) after its summary, so $? is false and pwsh -Command exits 1; a clean end is no error.</para>
/// <para type="link">Get-AfmlStatus</para>
/// <para type="link">Invoke-AfmlEmergency</para>
/// <para type="link">Measure-AfmlRegistro</para>
/// <para type="link">Export-AfmlChart</para>
/// </summary>
/// <example>
/// <code>Start-AfmlSession -TrainId train_BTCUSDT_20230101_20241231_lr0.0003_bs256_ws30_20261124_221259 -TrainingRoot ./samples/entrenamientos -Replay ./samples/data/BTCUSDT-1h.csv -From 2025-01-01 -MaxSteps 500</code>
/// <para>Replays 500 hourly candles from 2025-01-01 offline with simulated fills and returns the session statistics.</para>
/// </example>
/// <example>
/// <code>Start-AfmlSession -TrainId $id</code>
/// <para>Trades on the Binance Futures testnet with BINANCE_TESTNET_API_KEY/SECRET, one decision per closed candle, until Ctrl+C.</para>
/// </example>
/// <example>
/// <code>Start-AfmlSession -TrainId $id -Paper -MaxSteps 48</code>
/// <para>Two days of hourly decisions on live Binance market data with simulated fills: no credentials, no orders.</para>
/// </example>
/// <example>
/// <code>$jobs = Get-AfmlTraining train_BTCUSDT_* | Start-AfmlSession -Replay ./BTCUSDT-1h.csv -MaxSteps 500 -Quiet -AsJob; $jobs | Wait-Job | Receive-Job</code>
/// <para>One replay job per BTCUSDT training, side by side in this process; Receive-Job gives each one's summary.</para>
/// </example>
/// <example>
/// <code>Start-AfmlSession -TrainId $id -Replay ./BTCUSDT-1h.csv -PassThru | Where-Object TipoAccion -ne mantener</code>
/// <para>Streams the step rows as they are written (then the summary); here only the steps that traded.</para>
/// </example>
/// <example>
/// <code>Start-AfmlSession -TrainId $id -Live -Capital 2000</code>
/// <para>Real money: asks for confirmation, then trades 2000 USDT of the account (BINANCE_API_KEY/SECRET).</para>
/// </example>
[Cmdlet(VerbsLifecycle.Start, "AfmlSession", DefaultParameterSetName = BinanceSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SessionSummary), typeof(Afml.Core.Recording.RegistroRow), typeof(AfmlSessionJob))]
public sealed class StartAfmlSessionCommand : AfmlTrainingCmdlet
{
    private const string ReplaySet = "Replay";
    private const string BinanceSet = "Binance";

    /// <summary>The training to trade with: its folder name under -TrainingRoot (train_&lt;symbol&gt;_…).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TrainIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string TrainId { get; set; } = "";

    /// <summary>Candle CSV (open_time,open,high,low,close,volume) to replay offline.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ReplaySet)]
    [ValidateNotNullOrEmpty]
    public string Replay { get; set; } = "";

    /// <summary>Open time of the first decision candle, UTC unless the value carries an offset (2025-01-01 is
    /// midnight UTC on any machine); default the first candle at which every feature and the whole observation window
    /// are defined. The whole file still warms the indicators up.</summary>
    [Parameter(ParameterSetName = ReplaySet)]
    [UtcDate]
    public DateTimeOffset? From { get; set; }

    /// <summary>Open time of the last decision candle (inclusive), UTC unless the value carries an offset; default the
    /// file's last candle.</summary>
    [Parameter(ParameterSetName = ReplaySet)]
    [UtcDate]
    public DateTimeOffset? To { get; set; }

    /// <summary>Stop after this many decisions.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? MaxSteps { get; set; }

    /// <summary>The session's capital (the book's initial balance); default portafolio.capital_inicial. On Binance, the
    /// capital allocated to the session inside the account.</summary>
    [Parameter]
    [Alias("Capital")]
    [ValidateRange(1e-9, double.MaxValue)]
    public double? InitialBalance { get; set; }

    /// <summary>Replay only: simulate the drawdown guard inside each candle on its high and low, as the monitor between
    /// candles and the exchange's stop would act (a breach closes at the stop price plus slippage, then the emergency
    /// protocol). Without it a replay checks the limit at closes only and makes exactly the training's decisions.</summary>
    [Parameter(ParameterSetName = ReplaySet)]
    public SwitchParameter GuardIntraCandle { get; set; }

    /// <summary>Paper, testnet, live: how often the drawdown monitor between candles wants a mark price (1 s or less:
    /// Binance's @markPrice@1s stream; longer: the 3 s stream; also the premiumIndex polling period while the stream is
    /// silent). Default 1 second.</summary>
    [Parameter(ParameterSetName = BinanceSet)]
    [ValidateRange(0.1, 60.0)]
    public double? MonitorPeriodSeconds { get; set; }

    /// <summary>Simulated fills on live Binance market data: the dry run before testnet. No credentials needed.</summary>
    [Parameter(ParameterSetName = BinanceSet)]
    public SwitchParameter Paper { get; set; }

    /// <summary>Real orders with real money on Binance Futures.</summary>
    [Parameter(ParameterSetName = BinanceSet)]
    public SwitchParameter Live { get; set; }

    /// <summary>API key (user name) and secret (password); default: the BINANCE_TESTNET_API_KEY/SECRET or, with -Live,
    /// BINANCE_API_KEY/SECRET environment variables.</summary>
    [Parameter(ParameterSetName = BinanceSet)]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>A server speaking Binance's protocol at this HTTP address (the fake Binance, a proxy), instead of
    /// Binance's own testnet or production hosts.</summary>
    [Parameter(ParameterSetName = BinanceSet)]
    public Uri? Endpoint { get; set; }

    /// <summary>With -Live: skip the real-money confirmation (scripts).</summary>
    [Parameter(ParameterSetName = BinanceSet)]
    public SwitchParameter Force { get; set; }

    /// <summary>No console log lines; the summary is still returned.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>When the session ends cleanly (end of data, -MaxSteps, Ctrl+C, SIGTERM, an operator's stop), close
    /// the open position with a reduce-only order first. Without it the position stays open and the end says so,
    /// with the command that closes it.</summary>
    [Parameter]
    public SwitchParameter FlattenOnStop { get; set; }

    /// <summary>Run the session as a PowerShell job of this process and return the job at once (Get-Job, Receive-Job,
    /// Wait-Job; Stop-Job stops it cleanly). Several sessions can run side by side in one host.</summary>
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    /// <summary>Also return each step's registro row (the rows Import-AfmlRegistro reads) as it is written, before the
    /// summary.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>One session per pipeline input (Get-AfmlTraining | Start-AfmlSession …), in order, each to its end
    /// before the next starts; Ctrl+C stops the current one cleanly and runs none of the rest. With -AsJob, one job
    /// per input.</summary>
    protected override void ProcessRecord()
    {
        try
        {
            var options = BuildOptions();
            if (options is null) return;
            if (AsJob)
            {
                StartJob(options);
                return;
            }
            var summary = Run(options);
            if (summary is null) return;
            WriteObject(summary);
            // Exit codes: an emergency or a failure is an error record after the summary ($? false, pwsh exits 1).
            if (SessionOutcome.ErrorFor(summary) is { } error) WriteError(error);
        }
        catch (AfmlException ex)
        {
            ThrowAfml(ex);
        }
    }

    protected override void EndProcessing() => DisposeCancellation();

    private void StartJob(SessionOptions options)
    {
        var session = SessionHost.Start(options, HostOptions(signals: true));
        var job = new AfmlSessionJob(MyInvocation.Line.Trim(), $"Afml-{session.Parts.SessionId}", session, PassThru, MyInvocation.BoundParameters.ContainsKey("Debug"));
        JobRepository.Add(job);
        job.Start();
        WriteObject(job);
    }

    private SessionHostOptions HostOptions(bool signals) => new()
    {
        LogLevel = Quiet ? SessionLogLevel.Warning : MyInvocation.BoundParameters.ContainsKey("Debug") ? SessionLogLevel.Debug : SessionLogLevel.Info,
        // Each row only for -PassThru; else as often as the progress bar (and a job's status) can show a step.
        StepEvents = PassThru ? SessionStepEvents.Every : SessionStepEvents.Progress,
        FlattenOnStop = FlattenOnStop,
        HandleSignals = signals,
    };

    /// <summary>The session asked for, or null when the operator declined (-WhatIf, a "no" to a confirmation).</summary>
    private SessionOptions? BuildOptions()
    {
        var common = new SessionOptions
        {
            TrainId = TrainId,
            TrainingRoot = FullPath(TrainingRoot),
            MaxSteps = MaxSteps,
            InitialBalance = InitialBalance,
        };
        if (ParameterSetName == ReplaySet)
        {
            var replay = common with { Venue = VenueKind.Replay, ReplayPath = FullPath(Replay), From = From, To = To, GuardIntraCandle = GuardIntraCandle };
            return ShouldProcess($"{TrainId} on {Path.GetFileName(replay.ReplayPath)}", "Replay trading session") ? replay : null;
        }
        if (Paper && Live)
            throw new AfmlException("VenueConflict", AfmlErrorCategory.InvalidArgument, "-Paper (simulated fills) and -Live (real money) exclude each other.", "Live");
        var venue = Live ? VenueKind.Live : Paper ? VenueKind.Paper : VenueKind.Testnet;
        var options = common with
        {
            Venue = venue,
            // One rate-gate registry for every session of this process (Binance's limits are per IP).
            Binance = Hosting.AfmlProcess.Connection(Endpoint, Credential is { } c ? new BinanceCredentials(c.UserName, c.GetNetworkCredential().Password) : null),
            MonitorPeriod = MonitorPeriodSeconds is { } period ? TimeSpan.FromSeconds(period) : null,
        };
        var where = Endpoint is null ? "" : $" at {Endpoint}";
        switch (venue)
        {
            case VenueKind.Paper:
                return ShouldProcess($"{TrainId}{where}", "Paper trading session (simulated fills on live Binance market data)") ? options : null;
            case VenueKind.Testnet:
                return ShouldProcess($"{TrainId}{where}", "Binance testnet trading session") ? options : null;
            default:
                if (!ShouldProcess($"{TrainId} on Binance Futures{where}", "Start a LIVE trading session with REAL MONEY")) return null;
                if (!Force && !ConfirmLive(where)) return null;
                return options with { LiveConfirmed = true };
        }
    }

    /// <summary>The real-money question, answered No by default (Enter does not start live trading). A host that
    /// cannot ask (pwsh -NonInteractive, a scheduled task, a job) is LiveNotConfirmed: scripts pass -Force.</summary>
    private bool ConfirmLive(string where)
    {
        var yesToAll = false;
        var noToAll = false;
        try
        {
            // hasSecurityImpact: the prompt's default choice is No.
            return ShouldContinue($"Afml will send real orders with real money on Binance Futures{where} for '{TrainId}'. Continue?",
                "LIVE: dinero real", hasSecurityImpact: true, ref yesToAll, ref noToAll);
        }
        catch (Exception ex) when (ex is PSInvalidOperationException or System.Management.Automation.Host.HostException or NotImplementedException)
        {
            throw new AfmlException("LiveNotConfirmed", AfmlErrorCategory.SecurityError,
                $"-Live trades real money and this host cannot ask for confirmation ({ex.Message.TrimEnd('.')}): add -Force to a script that means it.",
                "Live", ex);
        }
    }

    /// <summary>Starts the session in a <see cref="SessionHost"/> (which owns its whole lifetime) and pumps its events
    /// to the host on this, the pipeline thread. Ctrl+C and SIGTERM stop it cleanly; if writing to the host fails, the
    /// session is faulted (emergency protocol) and waited for: the loop never outlives this cmdlet.</summary>
    private SessionSummary? Run(SessionOptions options)
    {
        var session = SessionHost.Start(options, HostOptions(signals: true));
        using var ctrlC = StopToken.Register(() => session.Stop(SessionStopReason.Cancelled));
        try
        {
            foreach (var w in session.Warnings) WriteWarning(w);
            Pump(session, options);
            return session.Completion.GetAwaiter().GetResult();
        }
        catch (PipelineStoppedException)
        {
            // Ctrl+C: the pipeline refuses writes from now on; the session is stopping cleanly. Its last lines
            // (statistics, a position left open) still reach the console through the host's UI.
            session.Stop(SessionStopReason.Cancelled);
            DrainToHostUi(session);
            session.Completion.GetAwaiter().GetResult();
            throw;
        }
        catch (Exception ex) when (ex is not AfmlException)
        {
            // This cmdlet failed while the session ran (e.g. a -Debug prompt in a non-interactive host): the
            // session must not go on unattended. Fault it (emergency protocol) and wait for its end.
            session.Fault(ex);
            DrainToHostUi(session);
            try { session.Completion.GetAwaiter().GetResult(); } catch (Exception) { }
            throw;
        }
        finally
        {
            session.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Engine events on the pipeline thread, the only thread allowed to write to the host.</summary>
    private void Pump(SessionHost session, SessionOptions options)
    {
        var progress = new ProgressRecord(1, $"Afml {TrainId}", options.Venue.ToString().ToLowerInvariant()) { PercentComplete = 0 };
        var reader = session.Events;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var e))
            {
                if (PassThru && e is SessionStep passed) WriteObject(SessionOutcome.Row(passed, session.Parts.SessionId, session.Parts.Registro.Path));
                switch (e)
                {
                    case SessionLog { Level: SessionLogLevel.Error } log: WriteSessionError(log.Message); break;
                    case SessionLog { Level: SessionLogLevel.Warning } log: WriteWarning(log.Message); break;
                    case SessionLog { Level: SessionLogLevel.Debug } log: WriteDebug(log.Message); break;
                    case SessionLog log: WriteInformation(new HostInformationMessage { Message = "INFO - " + log.Message }, ["PSHOST", "Afml"]); break;
                    case SessionStep step when step.Total is > 0 && (!PassThru || step.Completed % 25 == 0 || step.Completed == step.Total):
                        progress.PercentComplete = (int)Math.Min(100, 100L * step.Completed / step.Total.Value);
                        progress.StatusDescription = $"paso {step.Completed}/{step.Total} · equity {step.Row.Equity:F2}";
                        WriteProgress(progress);
                        break;
                    case SessionStep step when step.Total is null:
                        progress.PercentComplete = -1;
                        progress.StatusDescription = $"paso {step.Completed} · equity {step.Row.Equity:F2} · esperando la próxima vela";
                        WriteProgress(progress);
                        break;
                }
            }
        }
        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);
    }

    /// <summary>A session's Error-level line (🚨 PROTOCOLO DE EMERGENCIA, EMERGENCY_INCOMPLETE, ❌ Operación fallida) in
    /// the host's error colours (red), on stderr when it is redirected. Written to the host's UI, not as an error
    /// record: a caller with -ErrorAction Stop or $ErrorActionPreference = 'Stop' (a scheduled script) must not abort
    /// the cmdlet in the middle of the emergency protocol; how the session ended is the cmdlet's own result.</summary>
    private void WriteSessionError(string message) => WriteErrorLine(message);

    /// <summary>What is left of the session's events once the pipeline cannot be written to: straight to the host's
    /// UI (warnings and, unless -Quiet, information), never throwing.</summary>
    private void DrainToHostUi(SessionHost session)
    {
        var reader = session.Events;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var e))
            {
                if (e is not SessionLog log || log.Level == SessionLogLevel.Debug) continue;
                try
                {
                    if (log.Level >= SessionLogLevel.Error) Host.UI.WriteErrorLine(log.Message);
                    else if (log.Level >= SessionLogLevel.Warning) Host.UI.WriteWarningLine(log.Message);
                    else Host.UI.WriteLine("INFO - " + log.Message);
                }
                catch (Exception)
                {
                    // The host itself is gone: the session still ends through its own path.
                }
            }
        }
    }
}
