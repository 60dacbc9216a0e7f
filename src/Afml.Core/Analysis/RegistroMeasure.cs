using Afml.Core.Portfolio;
using Afml.Core.Recording;

namespace Afml.Core.Analysis;

/// <summary>Computes <see cref="RegistroMetrics"/> from a session's registro rows (in step order).</summary>
public static class RegistroMeasure
{
    /// <summary><c>tipo_accion</c> of the emergency protocol's row (as the registro writes it).</summary>
    public const string EmergencyActionType = "emergencia";

    private static readonly string[] BookOperations =
        [OperationNames.OpenLong, OperationNames.OpenShort, OperationNames.Increase, OperationNames.PartialReduction, OperationNames.FullClose];

    /// <param name="rows">The session's steps, in order.</param>
    /// <param name="source">Where they came from (labels, and the training's initial capital).</param>
    /// <param name="initialEquity">Overrides the initial equity (default: the training's capital, else the first step's equity).</param>
    public static RegistroMetrics Measure(IReadOnlyList<RegistroRow> rows, RegistroSource source, double? initialEquity = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(source);
        if (rows.Count == 0)
            throw new AfmlException("RegistroEmpty", AfmlErrorCategory.InvalidData,
                $"{source.Path}: the registro has no steps (the session failed before its first decision).", source.Path);

        var interval = InferInterval(rows);
        var initial = initialEquity ?? source.InitialCapital ?? rows[0].Equity;

        // Equity path, returns, drawdown from the running peak.
        var returns = new double[rows.Count];
        double peak = initial, maxDd = 0, previous = initial;
        DateTimeOffset? maxDdAt = null;
        for (var i = 0; i < rows.Count; i++)
        {
            var e = rows[i].Equity;
            returns[i] = previous != 0 ? e / previous - 1 : 0;
            previous = e;
            if (e > peak) peak = e;
            var dd = peak > 0 ? (peak - e) / peak : 0;
            if (dd > maxDd) { maxDd = dd; maxDdAt = rows[i].Timestamp; }
        }
        var perYear = TimeSpan.FromDays(365).TotalSeconds / interval.TotalSeconds;
        var mean = returns.Average();
        var sd = returns.Length > 1 ? Math.Sqrt(returns.Sum(r => (r - mean) * (r - mean)) / (returns.Length - 1)) : double.NaN;
        var downside = Math.Sqrt(returns.Sum(r => r < 0 ? r * r : 0) / returns.Length);
        var sharpe = sd > 0 ? mean / sd : double.NaN;
        var sortino = downside > 0 ? mean / downside : double.NaN;

        // Trades: a position's life from the step that opened it to the step that closed it (a side change without
        // a flat step in between closes one and opens the other).
        var trades = new List<double>();
        var equityBefore = initial;
        bool open = false;
        string? side = null;
        var exposed = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var before = i == 0 ? initial : rows[i - 1].Equity;
            var nowOpen = r.PosicionAbierta;
            var nowSide = nowOpen ? r.TipoPosicionActiva : null;
            if (nowOpen) exposed++;
            if (open && (!nowOpen || nowSide != side))
            {
                trades.Add((nowOpen ? before : r.Equity) - equityBefore);
                open = false;
            }
            if (nowOpen && !open)
            {
                equityBefore = before;
                open = true;
            }
            side = nowSide;
        }

        var wins = trades.Where(t => t > 0).ToArray();
        var losses = trades.Where(t => t <= 0).ToArray();
        var grossWin = wins.Sum();
        var grossLoss = -losses.Sum();
        var last = rows[^1];
        var unrealised = last.PosicionAbierta ? last.PnlNoRealizado ?? 0 : 0;

        return new RegistroMetrics
        {
            SessionId = source.SessionId,
            TrainId = source.TrainId,
            Symbol = source.Symbol,
            Venue = source.Venue,
            RegistroPath = source.Path,
            Steps = rows.Count,
            Start = rows[0].OpenTime ?? rows[0].Timestamp - interval,
            End = last.Timestamp,
            Interval = interval,
            InitialEquity = initial,
            FinalEquity = last.Equity,
            MaxDrawdown = maxDd,
            MaxDrawdownAt = maxDdAt,
            MaxDrawdownAllowed = source.MaxDrawdownAllowed,
            SharpePerInterval = sharpe,
            Sharpe = sharpe * Math.Sqrt(perYear),
            SortinoPerInterval = sortino,
            Sortino = sortino * Math.Sqrt(perYear),
            IntervalsPerYear = perYear,
            Trades = trades.Count,
            WinningTrades = wins.Length,
            LosingTrades = losses.Length,
            ProfitFactor = trades.Count == 0 ? double.NaN : grossLoss > 0 ? grossWin / grossLoss : double.PositiveInfinity,
            AverageWin = wins.Length > 0 ? wins.Average() : 0,
            AverageLoss = losses.Length > 0 ? losses.Average() : 0,
            TradePnl = trades,
            PositionOpenAtEnd = last.PosicionAbierta,
            Exposure = (double)exposed / rows.Count,
            Fees = initial + last.PnlTotal + unrealised - last.Equity,
            Orders = rows.Count(r => r.Resultado != false && r.Operacion is { } op && BookOperations.Contains(op)),
            Actions = Count(rows, r => r.TipoAccion),
            Operations = Count(rows, r => r.Operacion),
            Emergency = rows.Any(r => r.TipoAccion == EmergencyActionType),
            FinalTradingState = last.EstadoTrading,
        };
    }

    /// <summary>The candle interval: the median gap between consecutive decision times (one step: its open→close).</summary>
    public static TimeSpan InferInterval(IReadOnlyList<RegistroRow> rows)
    {
        if (rows.Count < 2)
            return rows is [{ OpenTime: { } open } only] && only.Timestamp > open ? only.Timestamp - open : TimeSpan.FromHours(1);
        var gaps = new long[rows.Count - 1];
        for (var i = 1; i < rows.Count; i++) gaps[i - 1] = (rows[i].Timestamp - rows[i - 1].Timestamp).Ticks;
        Array.Sort(gaps);
        var median = gaps[gaps.Length / 2];
        return median > 0 ? TimeSpan.FromTicks(median) : TimeSpan.FromHours(1);
    }

    private static IReadOnlyDictionary<string, int> Count(IReadOnlyList<RegistroRow> rows, Func<RegistroRow, string?> key)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            var k = key(r) ?? "";
            counts[k] = counts.TryGetValue(k, out var n) ? n + 1 : 1;
        }
        // Most frequent first, then by name: a stable, readable order.
        return counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
    }
}
