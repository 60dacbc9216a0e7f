namespace Afml.Core.Portfolio;

/// <summary>The reference's <c>info["operacion"]</c> dict for one step (the <c>op_*</c> columns of the trace and of
/// <c>operacion.csv</c>). Null = a key the operation did not set (an empty field in the CSVs).</summary>
/// <remarks>Quantities and money are doubles computed exactly as the reference computes them;
/// <see cref="InvestmentPct"/> is the float32 pct widened to double (the reference stores a numpy float32).</remarks>
public sealed record OperationRecord
{
    /// <summary>Keys in the reference's order (<c>build_info_dict</c>); <see cref="Fields"/> follows it.</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "tipo_accion", "operacion", "resultado", "error", "trade_id", "tipo_posicion", "precio_entrada",
        "precio_salida", "cantidad", "cantidad_adicional", "cantidad_total", "cantidad_restante", "cantidad_reducida",
        "porcentaje_inversion", "comision", "slippage", "margen", "margen_liberado", "pnl_realizado", "pnl_parcial",
        "velas_abiertas",
    ];

    /// <summary><c>tipo_accion</c>: <c>mantener</c>, <c>long</c> or <c>short</c>.</summary>
    public string? ActionType { get; init; }
    /// <summary><c>operacion</c>: the portfolio's word (see <see cref="OperationNames"/>); null for a plain hold.</summary>
    public string? Operation { get; init; }
    /// <summary><c>resultado</c>.</summary>
    public bool? Success { get; init; }
    /// <summary><c>error</c>.</summary>
    public string? Error { get; init; }
    /// <summary><c>trade_id</c>.</summary>
    public long? TradeId { get; init; }
    /// <summary><c>tipo_posicion</c> (set by opens and closes only).</summary>
    public string? PositionType { get; init; }
    /// <summary><c>precio_entrada</c> (after an increase: the new average entry).</summary>
    public double? EntryPrice { get; init; }
    /// <summary><c>precio_salida</c>.</summary>
    public double? ExitPrice { get; init; }
    /// <summary><c>cantidad</c>.</summary>
    public double? Quantity { get; init; }
    /// <summary><c>cantidad_adicional</c>.</summary>
    public double? AddedQuantity { get; init; }
    /// <summary><c>cantidad_total</c>.</summary>
    public double? TotalQuantity { get; init; }
    /// <summary><c>cantidad_restante</c>.</summary>
    public double? RemainingQuantity { get; init; }
    /// <summary><c>cantidad_reducida</c>.</summary>
    public double? ReducedQuantity { get; init; }
    /// <summary><c>porcentaje_inversion</c>: the open's pct or an increase's Δ (float32 values).</summary>
    public double? InvestmentPct { get; init; }
    /// <summary><c>comision</c>: of this operation, or on a full close the position's accumulated (never charged).</summary>
    public double? Commission { get; init; }
    /// <summary><c>slippage</c>, like <see cref="Commission"/>.</summary>
    public double? Slippage { get; init; }
    /// <summary><c>margen</c>.</summary>
    public double? Margin { get; init; }
    /// <summary><c>margen_liberado</c>.</summary>
    public double? ReleasedMargin { get; init; }
    /// <summary><c>pnl_realizado</c> (full close).</summary>
    public double? RealizedPnl { get; init; }
    /// <summary><c>pnl_parcial</c> (partial reduction).</summary>
    public double? PartialPnl { get; init; }
    /// <summary><c>velas_abiertas</c>.</summary>
    public int? CandlesOpen { get; init; }

    /// <summary>The step of a hold: <c>{tipo_accion: mantener, resultado: true}</c>.</summary>
    public static OperationRecord Hold { get; } = new() { ActionType = OperationNames.Hold, Success = true };

    /// <summary>Key/value pairs in <see cref="Keys"/> order (values: string, bool, long, double, int or null).</summary>
    public IEnumerable<KeyValuePair<string, object?>> Fields()
    {
        object?[] values =
        [
            ActionType, Operation, Success, Error, TradeId, PositionType, EntryPrice, ExitPrice, Quantity, AddedQuantity,
            TotalQuantity, RemainingQuantity, ReducedQuantity, InvestmentPct, Commission, Slippage, Margin,
            ReleasedMargin, RealizedPnl, PartialPnl, CandlesOpen,
        ];
        for (var i = 0; i < values.Length; i++)
            yield return new KeyValuePair<string, object?>(Keys[i], values[i]);
    }
}
