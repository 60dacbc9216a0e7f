using Afml.Core;
using Afml.Core.MarketData;
using Afml.Tests.Validation;

namespace Afml.Tests.MarketData;

/// <summary>
/// The candle reader parses plain rows from the file's bytes and hands anything else to CsvHelper at that row: for
/// every file, valid, odd or broken, it must give exactly the candles, or exactly the error (id and message), that
/// reading every row through CsvHelper gives. And a plain row costs no allocation.
/// </summary>
public class CandleCsvReaderPlainTests : IDisposable
{
    private static readonly string Demo = Path.Combine(TestData.SharedDir, "data", "BTCUSDT-1h.csv");
    private readonly string _dir = Directory.CreateTempSubdirectory("afml-candle-plain-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (List<Candle>? Candles, AfmlException? Error) ReadAll(string path, bool plain)
    {
        var candles = new List<Candle>();
        try
        {
            using var reader = CandleCsvReader.Open(path, plain);
            while (reader.Next(out var c)) candles.Add(c);
            Assert.Equal(candles.Count, reader.Count);
            return (candles, null);
        }
        catch (AfmlException ex)
        {
            return (null, ex);
        }
    }

    private void AssertSameAsCsvHelper(string text, string what, System.Text.Encoding? encoding = null)
    {
        var path = Path.Combine(_dir, "c.csv");
        File.WriteAllText(path, text, encoding ?? System.Text.Encoding.Latin1);
        var plain = ReadAll(path, plain: true);
        var csv = ReadAll(path, plain: false);
        if (csv.Error is { } e)
        {
            Assert.True(plain.Error is { } p && p.ErrorId == e.ErrorId && p.Message == e.Message,
                $"{what}: CsvHelper {e.ErrorId} '{e.Message}' vs plain {plain.Error?.ErrorId} '{plain.Error?.Message}' ({plain.Candles?.Count} candles)");
            return;
        }
        Assert.True(plain.Error is null, $"{what}: plain refused what CsvHelper read: {plain.Error?.Message}");
        Assert.Equal(csv.Candles, plain.Candles);
    }

    [Fact]
    public void Broken_files_get_CsvHelpers_error_word_for_word()
    {
        var gen = new MalformedInputGenerator(seed: 41);
        var rows = File.ReadLines(Demo).Skip(1).Take(400).ToList();
        for (var n = 0; n < 150; n++)
        {
            var (text, what) = gen.MutateCandles(rows);
            AssertSameAsCsvHelper(text, what);
        }
    }

    [Theory]
    [InlineData("crlf")]
    [InlineData("spaces")]
    [InlineData("quoted")]
    [InlineData("exponent")]
    [InlineData("extra column")]
    [InlineData("reordered")]
    [InlineData("bom")]
    [InlineData("blank line")]
    [InlineData("no final newline")]
    [InlineData("upper-case header")]
    [InlineData("cr only")]
    [InlineData("cr inside a row")]
    [InlineData("header only")]
    [InlineData("utf-8 in a field")]
    [InlineData("number shapes")]
    public void Odd_but_readable_files_give_CsvHelpers_candles(string variant)
    {
        var lines = File.ReadLines(Demo).Take(300).ToList();
        var header = lines[0];
        var rows = lines.Skip(1).ToList();
        string Join(string nl, IEnumerable<string> r) => string.Join(nl, r) + nl;
        var encoding = System.Text.Encoding.Latin1;
        var text = variant switch
        {
            "crlf" => Join("\r\n", lines),
            "spaces" => Join("\n", [header, .. rows.Select(r => string.Join(" , ", r.Split(',')) + " ")]),
            "quoted" => Join("\n", [header, .. rows.Select((r, i) => i % 7 == 3 ? string.Join(',', r.Split(',').Select(f => $"\"{f}\"")) : r)]),
            "exponent" => Join("\n", [header, .. rows.Select(r => r.Split(',') is var f ? $"{f[0]},+{double.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture) / 1000:R}e3,{f[2]},{f[3]},{f[4]},{f[5]}" : r)]),
            "extra column" => Join("\n", [header + ",note", .. rows.Select((r, i) => r + "," + (i % 5 == 0 ? "" : "x" + i))]),
            "reordered" => Join("\n", ["volume,close,low,high,open,open_time", .. rows.Select(r => string.Join(',', r.Split(',').Reverse()))]),
            "bom" => "\uFEFF" + Join("\n", lines),
            "blank line" => Join("\n", [header, .. rows.Take(100), "", .. rows.Skip(100)]),
            "no final newline" => string.Join("\n", lines),
            "upper-case header" => Join("\n", [header.ToUpperInvariant().Replace(",", " ,"), .. rows]),
            "cr only" => Join("\r", lines),
            "cr inside a row" => Join("\n", [header, .. rows.Select((r, i) => i == 150 ? r.Replace(",", ",\r") : r)]),
            "header only" => header + "\n",
            "utf-8 in a field" => Join("\n", [header + ",nota", .. rows.Select((r, i) => r + (i % 9 == 0 ? ",señal" : ",x"))]),
            "number shapes" => Join("\n", [header, .. rows.Select((r, i) => string.Join(',', r.Split(',').Select((f, c) => Reshape(f, c, i))))]),
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };
        if (variant == "utf-8 in a field") encoding = new System.Text.UTF8Encoding(false);
        AssertSameAsCsvHelper(text, variant, encoding);
    }

    /// <summary>The same number written another way the parsers accept: sign, leading and trailing zeros, a bare
    /// point, digits past what the plain parser reads exactly (then the BCL reads them).</summary>
    private static string Reshape(string field, int column, int row)
    {
        var point = field.Contains('.');
        return ((row + column) % 8) switch
        {
            0 => "+" + field,
            1 => "000" + field,
            2 => point ? field + "0000000000000000000000000" : field + ".",
            3 => point ? field : field + ".000",
            4 => column == 0 ? "0" + field : field + (point ? "00" : ""),
            5 => point && field.StartsWith("0.", StringComparison.Ordinal) ? field[1..] : field,
            _ => field,
        };
    }

    [Fact]
    public void A_plain_row_allocates_nothing()
    {
        using var reader = CandleCsvReader.Open(Demo);
        for (var i = 0; i < 100; i++) Assert.True(reader.Next(out _)); // the first buffer fill, the JIT
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5_000; i++) Assert.True(reader.Next(out _));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1_000, $"{allocated} B for 5,000 rows");
    }
}
