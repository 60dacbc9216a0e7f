using System.Globalization;
using Afml.Core.MarketData;

namespace Afml.Tests.Features;

/// <summary>A golden CSV (Python <c>repr</c> floats, empty field = NaN) loaded column-wise.</summary>
internal sealed class GoldenTable
{
    private readonly Dictionary<string, double[]> _columns;

    private GoldenTable(IReadOnlyList<string> header, Dictionary<string, double[]> columns, int rowCount)
    {
        Header = header;
        _columns = columns;
        RowCount = rowCount;
    }

    public IReadOnlyList<string> Header { get; }

    public int RowCount { get; }

    public double[] this[string column] =>
        _columns.TryGetValue(column, out var values) ? values : throw new KeyNotFoundException($"No column '{column}'.");

    public static GoldenTable Load(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        var rows = lines.Length - 1;
        var data = header.Select(_ => new double[rows]).ToArray();
        for (var r = 0; r < rows; r++)
        {
            var fields = lines[r + 1].Split(',');
            if (fields.Length != header.Length) throw new FormatException($"{path}: row {r + 1} has {fields.Length} fields.");
            for (var c = 0; c < fields.Length; c++)
            {
                data[c][r] = fields[c].Length == 0 ? double.NaN : double.Parse(fields[c], NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }

        var columns = new Dictionary<string, double[]>(StringComparer.Ordinal);
        for (var c = 0; c < header.Length; c++) columns.Add(header[c], data[c]);
        return new GoldenTable(header, columns, rows);
    }

    /// <summary>The OHLCV rows of a table that has them (golden/indicators.csv).</summary>
    public Candle[] Candles()
    {
        var (t, o, h, l, c, v) = (this["open_time"], this["open"], this["high"], this["low"], this["close"], this["volume"]);
        var candles = new Candle[RowCount];
        for (var i = 0; i < RowCount; i++) candles[i] = new Candle((long)t[i], o[i], h[i], l[i], c[i], v[i]);
        return candles;
    }
}

/// <summary>The two indicator fixtures, loaded once for all tests.</summary>
internal static class Golden
{
    private static readonly Lazy<GoldenTable> LazyIndicators =
        new(() => GoldenTable.Load(Path.Combine(TestData.FixtureTrainingDir, "golden", "indicators.csv")));

    private static readonly Lazy<GoldenTable> LazySweep =
        new(() => GoldenTable.Load(Path.Combine(TestData.FixtureTrainingDir, "golden", "indicators_sweep.csv")));

    private static readonly Lazy<Candle[]> LazyCandles = new(() => LazyIndicators.Value.Candles());

    public static GoldenTable Indicators => LazyIndicators.Value;

    public static GoldenTable Sweep => LazySweep.Value;

    /// <summary>The continuity-fixed, interpolated input series (20,543 candles) both fixtures were computed on.</summary>
    public static Candle[] Candles => LazyCandles.Value;
}
