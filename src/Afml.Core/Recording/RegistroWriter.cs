namespace Afml.Core.Recording;

/// <summary>Writes <c>produccion/registro_YYYYMMDD_HHMMSS.csv</c>, one row per step (flushed as <see cref="CsvFlush"/> says).</summary>
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
        Create(productionDir, startedLocal, durable ? CsvFlush.EachRowToDisk : CsvFlush.EachRow);

    /// <param name="flush">When rows leave the process: each row forced to the disk (real orders), each row handed
    /// to the operating system (paper), or in large chunks and at <see cref="Dispose"/> (an offline replay).</param>
    public static RegistroWriter Create(string productionDir, DateTimeOffset startedLocal, CsvFlush flush) =>
        new(CsvRecordFile.Create(productionDir, "registro_" + CsvFormat.FileStamp(startedLocal), Columns, flush));

    /// <summary>One row, formatted as <see cref="CsvFormat"/> says (the bytes the CsvHelper writer wrote) straight into
    /// the file's buffer: no string per field.</summary>
    public void Write(RegistroRow r)
    {
        var f = _file;
        f.Time(r.Timestamp); f.Integer(r.Paso); f.Number(r.Action); f.Number(r.Precio);
        f.Number(r.Balance); f.Number(r.Equity); f.Number(r.MaxDrawdown); f.Number(r.PnlTotal);
        f.Bool(r.PosicionAbierta);
        f.Text(r.TipoPosicionActiva); f.Number(r.PrecioEntradaActiva); f.Number(r.CantidadActiva); f.Number(r.PnlNoRealizado);
        f.Text(r.TipoAccion); f.Text(r.Operacion); f.Bool(r.Resultado); f.Text(r.Error);
        f.Integer(r.TradeId); f.Number(r.Cantidad); f.Number(r.PrecioEntrada); f.Number(r.Comision);
        f.Time(r.OpenTime); f.Number(r.PnlRealizado); f.Text(r.ClientOrderId); f.Text(r.EstadoTrading);
        f.Text(r.ComisionActivo); f.Text(r.ComisionMoneda);
        f.EndRow();
        RowsWritten++;
    }

    /// <summary>Hands every row written so far to the operating system (a buffered replay's rows, before its final
    /// status says it stopped).</summary>
    public void Flush() => _file.Flush();

    public void Dispose() => _file.Dispose();
}
