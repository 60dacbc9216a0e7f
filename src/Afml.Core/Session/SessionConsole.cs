using Afml.Core.Recording;

namespace Afml.Core.Session;

/// <summary>
/// The console's view of each step (the Python system's lines: <c>📊 PASO</c>, <c>🤖 Acción del agente</c>,
/// <c>✅ Operación ejecutada</c>, <c>💰 Equity</c>) and the progress event the cmdlet turns into a progress bar.
/// Lines below the logger's level are never built; with <see cref="SessionStepEvents.Progress"/> a step event is
/// published only as often as a progress bar can show it.
/// </summary>
public sealed class SessionConsole(SessionLogger log, System.Threading.Channels.ChannelWriter<SessionEvent> events, TimeProvider time, int? expectedSteps,
    SessionStepEvents stepEvents = SessionStepEvents.Every) : ISessionObserver
{
    /// <summary>The least time between two step events with <see cref="SessionStepEvents.Progress"/>.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    // The interval in the clock's timestamp units, worked out once: a step only reads the timestamp (the clock's
    // frequency first asked for in the middle of a run would be one more method the runtime sees for the first time).
    private readonly long _interval = (long)Math.Ceiling(ProgressInterval.TotalSeconds * time.TimestampFrequency);
    private long _publishedAt;
    private bool _published;

    public void OnStep(StepRecorded step, SessionProgress progress)
    {
        var row = step.Row;
        // The lines are built in methods of their own: with -Quiet they never run, and are then never compiled either.
        if (log.IsEnabled(SessionLogLevel.Info)) WriteStepLines(step);
        if (row.Resultado == false && row.Error is not null && row.TipoAccion != TradingSession.EmergencyActionType)
            WriteNotDone(row);
        if (stepEvents == SessionStepEvents.Every || Due(row.Paso))
            events.TryWrite(new SessionStep(time.GetUtcNow(), row, row.Paso, expectedSteps));
    }

    private void WriteStepLines(StepRecorded step)
    {
        var row = step.Row;
        log.Info($"📊 PASO {row.Paso} - {row.Timestamp:yyyy-MM-ddTHH:mm:ss}");
        if (!double.IsNaN(row.Action)) log.Info($"🤖 Acción del agente: {row.Action:F4} → {row.Operacion}");
        if (step.OrderFilled && row.Resultado == true)
            log.Info($"✅ Operación ejecutada: {{'trade_id': {row.TradeId}, 'cantidad': {Fmt(row.Cantidad)}}}");
        log.Info($"💰 Equity: {row.Equity:F2} | Drawdown: {row.MaxDrawdown * 100:F1}% | Posición: {(row.PosicionAbierta ? "True" : "False")}");
    }

    private void WriteNotDone(RegistroRow row) => log.Warning($"⚠️ Operación no realizada: {row.Error}");

    /// <summary>Progress mode: the first step, the last expected one, and then one per <see cref="ProgressInterval"/>.</summary>
    private bool Due(int paso)
    {
        var now = time.GetTimestamp();
        if (_published && paso != expectedSteps && now - _publishedAt < _interval) return false;
        (_published, _publishedAt) = (true, now);
        return true;
    }

    private static string Fmt(double? v) => v?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "None";
}
