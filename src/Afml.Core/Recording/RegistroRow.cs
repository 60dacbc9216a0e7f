namespace Afml.Core.Recording;

/// <summary>
/// One step of <c>registro_*.csv</c>. The first 21 properties are the Python system's columns in its order;
/// the ones after <see cref="Comision"/> are Afml's own additions, written after the original columns.
/// </summary>
public sealed record RegistroRow
{
    // ENTORNO
    public required DateTimeOffset Timestamp { get; init; }
    public required int Paso { get; init; }
    public required double Action { get; init; }
    public required double Precio { get; init; }
    // PORTAFOLIO
    public required double Balance { get; init; }
    public required double Equity { get; init; }
    public required double MaxDrawdown { get; init; }
    public required double PnlTotal { get; init; }
    public required bool PosicionAbierta { get; init; }
    public string? TipoPosicionActiva { get; init; }
    public double? PrecioEntradaActiva { get; init; }
    public double? CantidadActiva { get; init; }
    public double? PnlNoRealizado { get; init; }
    // OPERACION
    public string? TipoAccion { get; init; }
    public string? Operacion { get; init; }
    public bool? Resultado { get; init; }
    public string? Error { get; init; }
    public long? TradeId { get; init; }
    public double? Cantidad { get; init; }
    public double? PrecioEntrada { get; init; }
    public double? Comision { get; init; }
    // Not columns (Afml): where the row was read from, so rows of several files never mix (Import-AfmlRegistro sets them)
    /// <summary>The session the row belongs to: its registro file's stamp (registro_YYYYMMDD_HHMMSS.csv).</summary>
    public string? SessionId { get; init; }
    /// <summary>The registro file the row was read from.</summary>
    public string? SourcePath { get; init; }
    // Afml additions
    /// <summary>Open time of the decision candle (the row's <see cref="Timestamp"/> is its close: the decision time).</summary>
    public DateTimeOffset? OpenTime { get; init; }
    public double? PnlRealizado { get; init; }
    public string? ClientOrderId { get; init; }
    /// <summary>ACTIVE or HALTED.</summary>
    public string? EstadoTrading { get; init; }
    /// <summary>The commission as the venue charged it, in <see cref="ComisionMoneda"/> (e.g. 0.00001 with BNB); several
    /// assets joined by '+' in the same order. <see cref="Comision"/> stays the USDT value.</summary>
    public string? ComisionActivo { get; init; }
    /// <summary>The asset(s) the commission was charged in (commissionAsset: USDT, BNB, or e.g. USDT+BNB).</summary>
    public string? ComisionMoneda { get; init; }
}
