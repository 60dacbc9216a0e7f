using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Afml.Core.Recording;

/// <summary>
/// Reads a <c>registro_*.csv</c> written by Afml or by the Python system into typed rows. Only the columns a
/// step needs (timestamp, paso, action, precio, balance, equity) are required; every value that does not parse
/// is an error naming the file, line and column. A last line without its end of line is a row a crash cut while it
/// was being written (every writer ends each row with one): it is skipped with a warning, never parsed (a cut
/// number would still parse, wrongly) and never an error.
/// </summary>
public static class RegistroReader
{
    private static readonly string[] Required = ["timestamp", "paso", "action", "precio", "balance", "equity"];

    /// <param name="onWarning">Told about a cut last line that was skipped (e.g. the cmdlet's WriteWarning).</param>
    public static IEnumerable<RegistroRow> Read(string path, Action<string>? onWarning = null)
    {
        if (Directory.Exists(path))
            throw new AfmlException("RegistroIsDirectory", AfmlErrorCategory.InvalidArgument, $"'{path}' is a directory; give its registro_*.csv files (e.g. '{Path.Combine(path, "registro_*.csv")}').", path);
        if (!File.Exists(path))
            throw new AfmlException("RegistroNotFound", AfmlErrorCategory.ObjectNotFound, $"Registro file '{path}' does not exist.", path);
        return ReadIterator(path, onWarning);
    }

    /// <summary>Bytes up to and including the last end of line; the file's length when it ends with one.</summary>
    internal static long CompleteLength(FileStream stream)
    {
        var length = stream.Length;
        if (length == 0) return 0;
        var buffer = new byte[4096];
        for (var end = length; end > 0;)
        {
            var start = Math.Max(0, end - buffer.Length);
            stream.Position = start;
            stream.ReadExactly(buffer, 0, (int)(end - start));
            var i = Array.LastIndexOf(buffer, (byte)'\n', (int)(end - start) - 1, (int)(end - start));
            if (i >= 0) return start + i + 1;
            end = start;
        }
        return 0;
    }

    private static IEnumerable<RegistroRow> ReadIterator(string path, Action<string>? onWarning)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var complete = CompleteLength(file);
        var cut = complete < file.Length;
        file.Position = 0;
        using var reader = new StreamReader(cut ? new PrefixStream(file, complete) : file);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { DetectColumnCountChanges = true });
        Row row;
        try
        {
            if (!csv.Read() || !csv.ReadHeader()) throw Bad(path, 1, "the file is empty");
            var missing = Required.Where(c => !csv.HeaderRecord!.Contains(c)).ToArray();
            if (missing.Length > 0) throw Bad(path, 1, $"not a registro file: column(s) {string.Join(", ", missing)} missing");
            row = new Row(csv, path);
        }
        catch (CsvHelperException ex) { throw Bad(path, ex.Context?.Parser?.RawRow ?? 0, ex.Message.Split('\n')[0]); }

        while (true)
        {
            RegistroRow? parsed;
            try
            {
                if (!csv.Read())
                {
                    if (cut) onWarning?.Invoke($"{path}, line {csv.Parser.Row}: the last line has no end of line (cut by a crash while it was written); that partial row was skipped.");
                    yield break;
                }
                parsed = row.Parse();
            }
            catch (CsvHelperException ex) { throw Bad(path, ex.Context?.Parser?.RawRow ?? 0, ex.Message.Split('\n')[0]); }
            yield return parsed;
        }
    }

    /// <summary>The first <c>length</c> bytes of a stream, read-only.</summary>
    private sealed class PrefixStream(Stream inner, long length) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) =>
            inner.Read(buffer, offset, (int)Math.Min(count, Math.Max(0, length - inner.Position)));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static AfmlException Bad(string path, long line, string what) =>
        new("RegistroInvalid", AfmlErrorCategory.InvalidData, $"{path}, line {line}: {what}.", path);

    /// <summary>Field access by column name with typed parsing and precise errors.</summary>
    private sealed class Row(CsvReader csv, string path)
    {
        private readonly HashSet<string> _header = [.. csv.HeaderRecord!];

        public RegistroRow Parse() => new()
        {
            Timestamp = Time("timestamp") ?? throw Fail("timestamp", "", "a date"),
            Paso = (int)(Long("paso") ?? throw Fail("paso", "", "an integer")),
            Action = Num("action") ?? double.NaN,
            Precio = Num("precio") ?? double.NaN,
            Balance = Num("balance") ?? double.NaN,
            Equity = Num("equity") ?? double.NaN,
            MaxDrawdown = Num("max_drawdown") ?? double.NaN,
            PnlTotal = Num("pnl_total") ?? 0,
            PosicionAbierta = Bool("posicion_abierta") ?? false,
            TipoPosicionActiva = Text("tipo_posicion_activa"),
            PrecioEntradaActiva = Num("precio_entrada_activa"),
            CantidadActiva = Num("cantidad_activa"),
            PnlNoRealizado = Num("pnl_no_realizado"),
            TipoAccion = Text("tipo_accion"),
            Operacion = Text("operacion"),
            Resultado = Bool("resultado"),
            Error = Text("error"),
            TradeId = Long("trade_id"),
            Cantidad = Num("cantidad"),
            PrecioEntrada = Num("precio_entrada"),
            Comision = Num("comision"),
            OpenTime = Time("open_time"),
            PnlRealizado = Num("pnl_realizado"),
            ClientOrderId = Text("client_order_id"),
            EstadoTrading = Text("estado_trading"),
            ComisionActivo = Text("comision_activo"),
            ComisionMoneda = Text("comision_moneda"),
        };

        private string? Text(string column)
        {
            if (!_header.Contains(column)) return null;
            var t = csv.GetField(column);
            return string.IsNullOrEmpty(t) ? null : t;
        }

        private double? Num(string column)
        {
            var t = Text(column);
            if (t is null) return null;
            return t.ToLowerInvariant() switch
            {
                "nan" => double.NaN,
                _ when double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) => v,
                _ => throw Fail(column, t, "a number"),
            };
        }

        private long? Long(string column)
        {
            var t = Text(column);
            if (t is null) return null;
            if (long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)) return v;
            // pandas writes an int column that has NaNs as floats: "123.0"
            if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d)) return (long)d;
            throw Fail(column, t, "an integer");
        }

        private bool? Bool(string column) => Text(column)?.ToLowerInvariant() switch
        {
            null => null,
            "true" or "1" or "1.0" => true,
            "false" or "0" or "0.0" => false,
            var t => throw Fail(column, t, "True or False"),
        };

        private DateTimeOffset? Time(string column)
        {
            var t = Text(column);
            if (t is null) return null;
            if (long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
                return ms is >= 0 and <= 253_402_300_799_999 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : throw Fail(column, t, "a date");
            return DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var v)
                ? v
                : throw Fail(column, t, "a date");
        }

        private AfmlException Fail(string column, string value, string expected) =>
            Bad(path, csv.Parser.RawRow, $"column '{column}' has '{value}', not {expected}");
    }
}
