using System.Globalization;
using System.Text;
using Afml.Core.Recording;
using Afml.Tests.Session;
using CsvHelper;
using CsvHelper.Configuration;

namespace Afml.Tests.Recording;

/// <summary>
/// The registro writer formats rows straight to UTF-8 bytes; these tests hold it to the exact bytes the writer it
/// replaced wrote (CsvHelper over the <c>CsvFormat</c> strings, frozen below as <see cref="ReferenceWriter"/>): on the
/// rows of a replay of the golden trace, and on random rows full of edge values.
/// </summary>
public class RegistroBytesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("afml-registro-bytes-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_replay_of_the_golden_trace_writes_the_bytes_the_csvhelper_writer_wrote()
    {
        var trace = Afml.Tests.Agent.GoldenTable.Load(Path.Combine(TestData.GoldenDir, "trace.csv"));
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var options = h.Options(Path.Combine(TestData.SharedDir, "data", "BTCUSDT-1h.csv"))
            with { From = DateTimeOffset.FromUnixTimeMilliseconds(trace.Long(0, "open_time")), MaxSteps = 300 };
        var summary = await h.RunAsync(options);

        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        Assert.Equal(300, rows.Count);
        Assert.Contains(rows, r => r.PosicionAbierta); // the trace trades: positions, fills, commissions are in the rows
        Assert.Contains(rows, r => r.TradeId is not null);
        var expected = ReferenceWriter.Bytes(rows);
        Assert.Equal(expected, File.ReadAllBytes(summary.RegistroPath));
        foreach (var flush in Enum.GetValues<CsvFlush>())
            Assert.Equal(expected, Written(rows, flush));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_rows_with_edge_values_are_written_byte_for_byte_as_before(int seed)
    {
        var rng = new Random(seed);
        var rows = Enumerable.Range(0, 3_000).Select(i => RandomRow(rng, i)).ToList();
        var expected = ReferenceWriter.Bytes(rows);
        Assert.True(expected.Length > 200_000); // several buffered chunks
        foreach (var flush in Enum.GetValues<CsvFlush>())
            Assert.Equal(expected, Written(rows, flush));
    }

    [Fact]
    public void A_row_longer_than_the_buffer_is_written_whole()
    {
        var huge = new string('é', 200_000) + "\"quoted\", and\nnew line ";
        var rows = new[] { RandomRow(new Random(7), 0) with { Error = huge }, RandomRow(new Random(8), 1) };
        Assert.Equal(ReferenceWriter.Bytes(rows), Written(rows, CsvFlush.EachRow));
        Assert.Equal(ReferenceWriter.Bytes(rows), Written(rows, CsvFlush.Buffered));
    }

    [Fact]
    public void A_buffered_file_holds_its_rows_until_flushed_and_a_per_row_file_does_not()
    {
        var rows = Enumerable.Range(0, 10).Select(i => RandomRow(new Random(i), i)).ToList();
        using var buffered = RegistroWriter.Create(Path.Combine(_dir, "b"), DateTimeOffset.Now, CsvFlush.Buffered);
        using var perRow = RegistroWriter.Create(Path.Combine(_dir, "p"), DateTimeOffset.Now, CsvFlush.EachRow);
        foreach (var r in rows)
        {
            buffered.Write(r);
            perRow.Write(r);
        }
        Assert.Equal(0, new FileInfo(buffered.Path).Length);
        Assert.Equal(ReferenceWriter.Bytes(rows), ReadShared(perRow.Path));
        buffered.Flush();
        Assert.Equal(ReferenceWriter.Bytes(rows), ReadShared(buffered.Path));
    }

    private static byte[] ReadShared(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    private byte[] Written(IEnumerable<RegistroRow> rows, CsvFlush flush)
    {
        var dir = Path.Combine(_dir, Guid.NewGuid().ToString("N"));
        string path;
        using (var w = RegistroWriter.Create(dir, DateTimeOffset.Now, flush))
        {
            path = w.Path;
            foreach (var r in rows) w.Write(r);
        }
        return File.ReadAllBytes(path);
    }

    private static readonly double[] EdgeDoubles =
    [
        0.0, -0.0, 1.0, -1.0, 0.1, 0.1 + 0.2, 1.0 / 3, double.Epsilon, -double.Epsilon, 1e-300, 4.9e-324, 2.2250738585072014E-308,
        1e300, double.MaxValue, double.MinValue, 1e15, 1e16, 1e17, 123456789012345678, 1e-5, 1e-7, 0.0001, 5e-5,
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, (float)0.1, (double)float.MaxValue, (double)float.Epsilon, 30123.45, 0.001,
    ];

    private static readonly string?[] EdgeTexts =
    [
        null, "", " ", "a", "mantener", "abrir_long", "LONG", "a,b", "\"", "say \"hi\"", "line\nbreak", "cr\ronly", "crlf\r\n", " lead", "trail ",
        "ñandú €", "emoji 🚀 ok", "lone \ud800 surrogate", "tab\there", "\"\"", ",", "\n", "binance -2019: Margin is insufficient.",
    ];

    private static double D(Random rng) => rng.Next(3) switch
    {
        0 => EdgeDoubles[rng.Next(EdgeDoubles.Length)],
        1 => (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-12, 13)),
        _ => BitConverter.Int64BitsToDouble(rng.NextInt64()),
    };

    private static double? N(Random rng) => rng.Next(4) == 0 ? null : D(rng);
    private static string? T(Random rng) => rng.Next(3) == 0 ? EdgeTexts[rng.Next(EdgeTexts.Length)] : RandomText(rng);
    private static string RandomText(Random rng)
    {
        const string alphabet = "abcXYZ019 ,\"\n\r_-.:ñ€🚀";
        var sb = new StringBuilder();
        for (var i = rng.Next(0, 12); i > 0; i--) sb.Append(alphabet[rng.Next(alphabet.Length)]);
        return sb.ToString();
    }

    private static DateTimeOffset Time(Random rng) => rng.Next(5) switch
    {
        0 => DateTimeOffset.MinValue,
        1 => DateTimeOffset.MaxValue,
        2 => new DateTimeOffset(new DateTime(rng.NextInt64(DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay)), TimeSpan.FromHours(rng.Next(-12, 13))),
        _ => DateTimeOffset.FromUnixTimeMilliseconds(rng.NextInt64(0, 4_102_444_800_000)).AddTicks(rng.Next(10_000)),
    };

    private static RegistroRow RandomRow(Random rng, int i) => new()
    {
        Timestamp = Time(rng), Paso = rng.Next(4) == 0 ? rng.Next(int.MinValue, int.MaxValue) : i, Action = rng.Next(2) == 0 ? (float)D(rng) : D(rng), Precio = D(rng),
        Balance = D(rng), Equity = D(rng), MaxDrawdown = D(rng), PnlTotal = D(rng), PosicionAbierta = rng.Next(2) == 0,
        TipoPosicionActiva = T(rng), PrecioEntradaActiva = N(rng), CantidadActiva = N(rng), PnlNoRealizado = N(rng),
        TipoAccion = T(rng), Operacion = T(rng), Resultado = rng.Next(3) switch { 0 => null, 1 => true, _ => false }, Error = T(rng),
        TradeId = rng.Next(4) switch { 0 => null, 1 => long.MinValue, 2 => long.MaxValue, _ => rng.NextInt64() }, Cantidad = N(rng), PrecioEntrada = N(rng), Comision = N(rng),
        OpenTime = rng.Next(3) == 0 ? null : Time(rng), PnlRealizado = N(rng), ClientOrderId = T(rng), EstadoTrading = T(rng),
        ComisionActivo = T(rng), ComisionMoneda = T(rng),
    };

    /// <summary>The registro writer as it was before (CsvHelper 33 over the CsvFormat strings), frozen here as the oracle.</summary>
    private static class ReferenceWriter
    {
        private static string Number(double value) => double.IsNaN(value) ? "" : value.ToString("R", CultureInfo.InvariantCulture);
        private static string Number(double? value) => value is { } v ? Number(v) : "";
        private static string Integer(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
        private static string Bool(bool? value) => value switch { true => "True", false => "False", null => "" };
        private static string Time(DateTimeOffset? value) =>
            value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "";

        public static byte[] Bytes(IEnumerable<RegistroRow> rows)
        {
            var ms = new MemoryStream();
            using (var writer = new StreamWriter(ms, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true) { NewLine = "\n" })
            using (var csv = new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture) { NewLine = "\n" }))
            {
                void Row(IEnumerable<string> fields)
                {
                    foreach (var f in fields) csv.WriteField(f);
                    csv.NextRecord();
                }
                Row(RegistroWriter.Columns);
                foreach (var r in rows)
                {
                    Row(
                    [
                        Time(r.Timestamp), Integer(r.Paso), Number(r.Action), Number(r.Precio),
                        Number(r.Balance), Number(r.Equity), Number(r.MaxDrawdown), Number(r.PnlTotal),
                        Bool(r.PosicionAbierta),
                        r.TipoPosicionActiva ?? "", Number(r.PrecioEntradaActiva), Number(r.CantidadActiva), Number(r.PnlNoRealizado),
                        r.TipoAccion ?? "", r.Operacion ?? "", Bool(r.Resultado), r.Error ?? "",
                        Integer(r.TradeId), Number(r.Cantidad), Number(r.PrecioEntrada), Number(r.Comision),
                        Time(r.OpenTime), Number(r.PnlRealizado), r.ClientOrderId ?? "", r.EstadoTrading ?? "",
                        r.ComisionActivo ?? "", r.ComisionMoneda ?? "",
                    ]);
                }
            }
            return ms.ToArray();
        }
    }
}
