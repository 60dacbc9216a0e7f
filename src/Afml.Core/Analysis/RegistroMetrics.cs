namespace Afml.Core.Analysis;

/// <summary>
/// A session's performance, computed from its registro alone (what <c>Measure-AfmlRegistro</c> returns). Money in
/// the registro's currency (USDT); fractions as fractions (0.25 = 25 %); per-interval figures use the candle
/// interval inferred from the timestamps; annualised ones assume 24/7 trading (365 days a year).
/// </summary>
public sealed record RegistroMetrics
{
    public required string SessionId { get; init; }
    public string? TrainId { get; init; }
    public string? Symbol { get; init; }
    public string? Venue { get; init; }
    public required string RegistroPath { get; init; }

    public required int Steps { get; init; }
    /// <summary>Open time of the first decision candle (its timestamp minus one interval when the registro has no open_time).</summary>
    public required DateTimeOffset Start { get; init; }
    /// <summary>Decision time (candle close) of the last step.</summary>
    public required DateTimeOffset End { get; init; }
    public TimeSpan Span => End - Start;
    /// <summary>The candle interval: the median gap between consecutive decision times.</summary>
    public required TimeSpan Interval { get; init; }

    /// <summary>The training's capital_inicial when known (or -InitialEquity), else the first step's equity.</summary>
    public required double InitialEquity { get; init; }
    public required double FinalEquity { get; init; }
    public double Return => InitialEquity > 0 ? FinalEquity / InitialEquity - 1 : double.NaN;
    public double ReturnPct => Return * 100;

    /// <summary>Largest fall of equity from its running peak (the initial equity included), as a fraction of that peak.</summary>
    public required double MaxDrawdown { get; init; }
    /// <summary>Decision time at which <see cref="MaxDrawdown"/> was reached.</summary>
    public DateTimeOffset? MaxDrawdownAt { get; init; }
    /// <summary>entorno.max_drawdown_permitido of the training, when known.</summary>
    public double? MaxDrawdownAllowed { get; init; }

    /// <summary>Mean over sample standard deviation of the per-interval equity returns (risk-free rate 0).</summary>
    public required double SharpePerInterval { get; init; }
    /// <summary><see cref="SharpePerInterval"/> × √(intervals per year).</summary>
    public required double Sharpe { get; init; }
    /// <summary>Mean per-interval return over the downside deviation √(mean(min(r, 0)²)) (target 0).</summary>
    public required double SortinoPerInterval { get; init; }
    /// <summary><see cref="SortinoPerInterval"/> × √(intervals per year).</summary>
    public required double Sortino { get; init; }
    public required double IntervalsPerYear { get; init; }

    /// <summary>Closed positions (open → full close, the emergency close included).</summary>
    public required int Trades { get; init; }
    public required int WinningTrades { get; init; }
    public required int LosingTrades { get; init; }
    /// <summary>Winning over closed trades; NaN without trades.</summary>
    public double WinRate => Trades > 0 ? (double)WinningTrades / Trades : double.NaN;
    /// <summary>Sum of winning trades' PnL over the absolute sum of losing ones (∞ with no loss, NaN without trades).</summary>
    public required double ProfitFactor { get; init; }
    public required double AverageWin { get; init; }
    public required double AverageLoss { get; init; }
    /// <summary>Net PnL of each closed trade (equity after its close minus equity before its open: fees included).</summary>
    public required IReadOnlyList<double> TradePnl { get; init; }
    public required bool PositionOpenAtEnd { get; init; }

    /// <summary>Share of the steps that ended with a position open.</summary>
    public required double Exposure { get; init; }
    public TimeSpan ExposureTime => Interval * Math.Round(Exposure * Steps);

    /// <summary>Commissions paid: initial equity + realised PnL + unrealised PnL − final equity.</summary>
    public required double Fees { get; init; }
    /// <summary>Operations that changed the book (opens, increases, reductions, closes; refused ones excluded).</summary>
    public required int Orders { get; init; }
    /// <summary>Steps per <c>tipo_accion</c> (long, short, mantener, emergencia, …), most frequent first.</summary>
    public required IReadOnlyDictionary<string, int> Actions { get; init; }
    /// <summary>Steps per <c>operacion</c>, most frequent first.</summary>
    public required IReadOnlyDictionary<string, int> Operations { get; init; }
    public required bool Emergency { get; init; }
    public string? FinalTradingState { get; init; }
}
