namespace Afml.Core.Recording;

/// <summary>Writes <c>produccion/registro_YYYYMMDD_HHMMSS.csv</c>, one flushed row per step.</summary>
public sealed class RegistroWriter : IDisposable
{
    /// <summary>The Python system's columns, in its order.</summary>
    public static readonly IReadOnlyList<string> OriginalColumns =
    [
        "timestamp", "paso", "action", "precio",
        "balance", "equity", "max_drawdown", "pnl_total", "posicion_abierta",
        "tipo_posicion_activa", "precio_entrada_activa", "cantidad_activa", "pnl_no_realizado",
        "tipo_accion", "operacion", "resultado", "error",
        "trade_id", "cantidad", "precio_entrada", "comision",
    ];

    /// <summary>Afml's additions, after the original columns.</summary>
    public static readonly IReadOnlyList<string> ExtraColumns = ["open_time", "pnl_realizado", "client_order_id", "estado_trading", "comision_activo", "comision_moneda"];

    public static IReadOnlyList<string> Columns { get; } = [.. OriginalColumns, .. ExtraColumns];

    private readonly CsvRecordFile _file;

    private RegistroWriter(CsvRecordFile file) => _file = file;

    public string Path => _file.Path;
    public int RowsWritten { get; private set; }

    /// <param name="startedLocal">Session start in local time (names the file, as the Python system does).</param>
    /// <param name="durable">Force every row to the disk (fsync) before <see cref="Write"/> returns: for venues with
    /// real orders, so a row is on disk before the next order can be sent.</param>
    public static RegistroWriter Create(string productionDir, DateTimeOffset startedLocal, bool durable = false) =>
        new(CsvRecordFile.Create(productionDir, "registro_" + CsvFormat.FileStamp(startedLocal), Columns, durable));

    public void Write(RegistroRow r)
    {
        _file.WriteRow(
        [
            CsvFormat.Time(r.Timestamp), CsvFormat.Integer(r.Paso), CsvFormat.Number(r.Action), CsvFormat.Number(r.Precio),
            CsvFormat.Number(r.Balance), CsvFormat.Number(r.Equity), CsvFormat.Number(r.MaxDrawdown), CsvFormat.Number(r.PnlTotal),
            CsvFormat.Bool(r.PosicionAbierta),
            r.TipoPosicionActiva ?? "", CsvFormat.Number(r.PrecioEntradaActiva), CsvFormat.Number(r.CantidadActiva), CsvFormat.Number(r.PnlNoRealizado),
            r.TipoAccion ?? "", r.Operacion ?? "", CsvFormat.Bool(r.Resultado), r.Error ?? "",
            CsvFormat.Integer(r.TradeId), CsvFormat.Number(r.Cantidad), CsvFormat.Number(r.PrecioEntrada), CsvFormat.Number(r.Comision),
            CsvFormat.Time(r.OpenTime), CsvFormat.Number(r.PnlRealizado), r.ClientOrderId ?? "", r.EstadoTrading ?? "",
            r.ComisionActivo ?? "", r.ComisionMoneda ?? "",
        ]);
        RowsWritten++;
    }

    public void Dispose() => _file.Dispose();
}
