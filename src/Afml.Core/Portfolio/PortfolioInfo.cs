namespace Afml.Core.Portfolio;

/// <summary>The reference's <c>info["portafolio"]</c> dict (<c>pf_*</c> columns, <c>portafolio.csv</c>) at one price.
/// The active-position fields are null while flat.</summary>
public sealed record PortfolioInfo(
    double Balance,
    double Equity,
    double MaxDrawdown,
    int OperationsTotal,
    double PnlTotal,
    bool HasPosition,
    long? ActiveTradeId,
    string? ActivePositionType,
    double? ActiveEntryPrice,
    double? ActiveQuantity,
    int? ActiveCandles,
    double? UnrealizedPnl)
{
    /// <summary>Keys in the reference's order; <see cref="Fields"/> follows it.</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "balance", "equity", "max_drawdown", "operaciones_total", "pnl_total", "posicion_abierta", "trade_id_activo",
        "tipo_posicion_activa", "precio_entrada_activa", "cantidad_activa", "velas_activa", "pnl_no_realizado",
    ];

    /// <summary>Key/value pairs in <see cref="Keys"/> order.</summary>
    public IEnumerable<KeyValuePair<string, object?>> Fields()
    {
        object?[] values =
        [
            Balance, Equity, MaxDrawdown, OperationsTotal, PnlTotal, HasPosition, ActiveTradeId, ActivePositionType,
            ActiveEntryPrice, ActiveQuantity, ActiveCandles, UnrealizedPnl,
        ];
        for (var i = 0; i < values.Length; i++)
            yield return new KeyValuePair<string, object?>(Keys[i], values[i]);
    }
}
