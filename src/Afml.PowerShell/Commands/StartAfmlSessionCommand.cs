using System.Management.Automation;
using System.Threading.Channels;
using Afml.Core;
using Afml.Core.Session;

namespace Afml.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Starts a trading session with a trained SAC agent and returns its statistics.</para>
/// <para type="description">Loads entrenamientos/&lt;TrainId&gt;/ (config, scaler, model), warms the indicators up on
/// history and makes one decision per closed candle, writing produccion/registro_*.csv. -Replay runs offline on a
/// candle file with simulated fills. Ctrl+C stops cleanly.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "AfmlSession", DefaultParameterSetName = ReplaySet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SessionSummary))]
public sealed class StartAfmlSessionCommand : AfmlCmdlet
{
    private const string ReplaySet = "Replay";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TrainIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string TrainId { get; set; } = "";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string TrainingRoot { get; set; } = "entrenamientos";

    /// <summary>Candle CSV (open_time,open,high,low,close,volume) to replay offline.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ReplaySet)]
    [ValidateNotNullOrEmpty]
    public string Replay { get; set; } = "";

    [Parameter(ParameterSetName = ReplaySet)]
    public DateTimeOffset? From { get; set; }

    [Parameter(ParameterSetName = ReplaySet)]
    public DateTimeOffset? To { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? MaxSteps { get; set; }

    [Parameter]
    [ValidateRange(1e-9, double.MaxValue)]
    public double? InitialBalance { get; set; }

    /// <summary>No console log lines; the summary is still returned.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void EndProcessing()
    {
        var options = new SessionOptions
        {
            TrainId = TrainId,
            TrainingRoot = FullPath(TrainingRoot),
            Venue = VenueKind.Replay,
            ReplayPath = FullPath(Replay),
            From = From,
            To = To,
            MaxSteps = MaxSteps,
            InitialBalance = InitialBalance,
        };
        if (!ShouldProcess($"{TrainId} on {Path.GetFileName(options.ReplayPath)}", "Replay trading session")) return;
        try
        {
            var summary = Run(options);
            if (summary is not null) WriteObject(summary);
        }
        catch (AfmlException ex)
        {
            ThrowAfml(ex);
        }
        finally
        {
            DisposeCancellation();
        }
    }

    private SessionSummary? Run(SessionOptions options)
    {
        var time = TimeProvider.System;
        var channel = Channel.CreateUnbounded<SessionEvent>(new UnboundedChannelOptions { SingleReader = true });
        var built = new SessionFactory(time).Create(options);
        foreach (var w in built.Warnings) WriteWarning(w);
        var session = new TradingSession(built.Parts, time, channel.Writer);
        var stopping = StopToken;
        var run = Task.Run(async () =>
        {
            try { return await session.RunAsync(stopping).ConfigureAwait(false); }
            finally
            {
                await built.DisposeAsync().ConfigureAwait(false);
                channel.Writer.TryComplete();
            }
        });

        // Drain engine events on the pipeline thread: the only thread allowed to write to the host.
        var progress = new ProgressRecord(1, $"Afml {TrainId}", "replay") { PercentComplete = 0 };
        var reader = channel.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var e))
            {
                switch (e)
                {
                    case SessionLog { Level: SessionLogLevel.Warning } log: WriteWarning(log.Message); break;
                    case SessionLog { Level: SessionLogLevel.Error } log: WriteWarning(log.Message); break;
                    case SessionLog { Level: SessionLogLevel.Debug } log: WriteDebug(log.Message); break;
                    case SessionLog log when !Quiet: WriteInformation(new HostInformationMessage { Message = "INFO - " + log.Message }, ["PSHOST", "Afml"]); break;
                    case SessionStep step when step.Total is > 0 && (step.Completed % 25 == 0 || step.Completed == step.Total):
                        progress.PercentComplete = (int)Math.Min(100, 100L * step.Completed / step.Total.Value);
                        progress.StatusDescription = $"paso {step.Completed}/{step.Total} · equity {step.Row.Equity:F2}";
                        WriteProgress(progress);
                        break;
                }
            }
        }
        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);
        return run.GetAwaiter().GetResult();
    }
}
