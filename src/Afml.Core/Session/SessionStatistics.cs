using Afml.Core.Portfolio;

namespace Afml.Core.Session;

/// <summary>
/// The session's statistics, counted from its step events: orders, trades, winners, operations, reconciliations and
/// the maximum drawdown over the whole session (not the last step's). <see cref="Summarize"/> builds the
/// <see cref="SessionSummary"/> every end returns and prints.
/// </summary>
public sealed class SessionStatistics(SessionParts parts, TimeProvider time) : ISessionObserver
{
    private readonly Dictionary<string, int> _operations = new(StringComparer.Ordinal);
    private int _ordersFilled, _tradesClosed, _winningTrades, _reconciliations;
    private double _maxDrawdown;

    public void OnStep(StepRecorded step, SessionProgress progress)
    {
        var row = step.Row;
        var op = row.Operacion ?? OperationNames.Hold;
        _operations[op] = _operations.GetValueOrDefault(op) + 1;
        if (step.OrderFilled) _ordersFilled++;
        if (step.TradeClosed)
        {
            _tradesClosed++;
            if (row.PnlRealizado > 0) _winningTrades++;
        }
        if (row.MaxDrawdown > _maxDrawdown) _maxDrawdown = row.MaxDrawdown;
    }

    public void OnReconciled(SessionProgress progress) => _reconciliations++;

    public SessionSummary Summarize(SessionProgress progress, SessionStopReason stop, string? detail)
    {
        var book = parts.Book;
        var price = progress.LastPrice;
        var current = price > 0 ? book.MaxDrawdown(price) : 0;
        return new SessionSummary
        {
            TrainId = parts.Config.TrainId,
            Venue = parts.Exchange.Name,
            Symbol = parts.Config.Market.Symbol,
            Interval = parts.Config.Market.Interval.Text,
            StartedAt = progress.StartedAt,
            EndedAt = time.GetUtcNow(),
            StopReason = stop,
            StopDetail = detail,
            TradingState = progress.TradingStateText,
            Steps = progress.Steps,
            FirstCandle = progress.FirstCandle,
            LastCandle = progress.LastCandle,
            InitialEquity = book.Settings.InitialCapital,
            FinalEquity = price > 0 ? book.Equity(price) : book.Balance,
            MaxDrawdown = Math.Max(_maxDrawdown, current),
            PnlTotal = book.PnlTotal,
            OrdersFilled = _ordersFilled,
            TradesClosed = _tradesClosed,
            WinningTrades = _winningTrades,
            Reconciliations = _reconciliations,
            Operations = new Dictionary<string, int>(_operations),
            PositionOpen = book.Position is not null,
            RegistroPath = parts.Registro.Path,
            EmergencyPath = parts.Emergencies.Path,
        };
    }

    /// <summary>The statistics as the Python system printed them at the end of a session.</summary>
    public static void Print(SessionSummary s, SessionLogger log)
    {
        log.Info("📈 ESTADÍSTICAS DE LA SESIÓN");
        log.Info($"   Pasos: {s.Steps} | Órdenes: {s.OrdersFilled} | Trades cerrados: {s.TradesClosed} (ganadores {s.WinningTrades})");
        log.Info($"   Equity: {s.InitialEquity:F2} → {s.FinalEquity:F2} ({s.ReturnPct:+0.00;-0.00}%) | PnL realizado: {s.PnlTotal:F2} | Max drawdown: {s.MaxDrawdown * 100:F2}%");
        log.Info($"   Fin: {s.StopReason}{(s.StopDetail is null ? "" : " · " + s.StopDetail)} | Estado: {s.TradingState}");
        log.Info($"📁 Registro: {s.RegistroPath}");
        if (s.EmergencyPath is not null) log.Info($"📁 Emergencias: {s.EmergencyPath}");
    }
}
