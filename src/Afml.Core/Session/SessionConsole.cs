
namespace Afml.Core.Session;

/// <summary>
/// The console's view of each step (the Python system's lines: <c>📊 PASO</c>, <c>🤖 Acción del agente</c>,
/// <c>✅ Operación ejecutada</c>, <c>💰 Equity</c>) and the progress event the cmdlet turns into a progress bar.
/// Lines below the logger's level are never built.
/// </summary>
public sealed class SessionConsole(SessionLogger log, System.Threading.Channels.ChannelWriter<SessionEvent> events, TimeProvider time, int? expectedSteps) : ISessionObserver
{
    public void OnStep(StepRecorded step, SessionProgress progress)
    {
        var row = step.Row;
        if (log.IsEnabled(SessionLogLevel.Info))
        {
            log.Info($"📊 PASO {row.Paso} - {row.Timestamp:yyyy-MM-ddTHH:mm:ss}");
            if (!double.IsNaN(row.Action)) log.Info($"🤖 Acción del agente: {row.Action:F4} → {row.Operacion}");
            if (step.OrderFilled && row.Resultado == true)
                log.Info($"✅ Operación ejecutada: {{'trade_id': {row.TradeId}, 'cantidad': {Fmt(row.Cantidad)}}}");
            log.Info($"💰 Equity: {row.Equity:F2} | Drawdown: {row.MaxDrawdown * 100:F1}% | Posición: {(row.PosicionAbierta ? "True" : "False")}");
        }
        if (row.Resultado == false && row.Error is not null && row.TipoAccion != TradingSession.EmergencyActionType)
            log.Warning($"⚠️ Operación no realizada: {row.Error}");
        events.TryWrite(new SessionStep(time.GetUtcNow(), row, row.Paso, expectedSteps));
    }

    private static string Fmt(double? v) => v?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "None";
}
