using System.Globalization;
using Afml.Core.Configuration;

namespace Afml.Core.Agent;

/// <summary>
/// Runs a training's golden observations (<c>golden/obs_market.csv</c>, <c>obs_portfolio.csv</c>) through the loaded
/// model and compares with the trainer's actions (<c>trace.csv</c> column <c>action_tanh</c>, un-scaled as SB3 does).
/// A model that disagrees by more than <see cref="Tolerance"/> is not the one that was trained.
/// </summary>
public static class ParityGate
{
    /// <summary>OnnxRuntime differs from torch by ~1.5e-6 (summation order); a wrong model differs by far more.</summary>
    public const double Tolerance = 1e-5;

    public const string MarketFile = "obs_market.csv";
    public const string PortfolioFile = "obs_portfolio.csv";
    public const string TraceFile = "trace.csv";

    public static bool HasGolden(TrainingFolder folder) =>
        new[] { MarketFile, PortfolioFile, TraceFile }.All(f => File.Exists(Path.Combine(folder.GoldenDir, f)));

    /// <summary>The comparison, or null when the folder carries no golden observations.</summary>
    public static ParityResult? Run(TrainingFolder folder, IPolicy policy, IReadOnlyList<string> featureNames)
    {
        if (!HasGolden(folder)) return null;
        var marketPath = Path.Combine(folder.GoldenDir, MarketFile);
        var market = Csv.Read(marketPath);
        var portfolio = Csv.Read(Path.Combine(folder.GoldenDir, PortfolioFile));
        var trace = Csv.Read(Path.Combine(folder.GoldenDir, TraceFile));
        var shape = policy.Shape;
        var expected = new List<string> { "step" };
        for (var r = 0; r < shape.Window; r++)
            expected.AddRange(featureNames.Select(f => $"w{r}_{f}"));
        if (!market.Header.SequenceEqual(expected))
            throw Failed(marketPath, $"{marketPath}: columns do not match the model's window {shape.Window} × the scaler's {featureNames.Count} features (w0_{featureNames.FirstOrDefault()} …); the golden files belong to another training");
        var pCols = new[] { "equity_feat", "pnl_feat", "position_feat" }.Select(c => portfolio.Column(c)).ToArray();
        if (pCols.Length != shape.PortfolioSize)
            throw Failed(marketPath, $"{PortfolioFile} has {pCols.Length} values; the model's portfolio input has {shape.PortfolioSize}");
        var tanhCol = trace.Column("action_tanh");
        var n = trace.Rows.Count;
        if (market.Rows.Count != n || portfolio.Rows.Count != n)
            throw Failed(marketPath, $"golden files disagree on the number of steps ({MarketFile} {market.Rows.Count}, {PortfolioFile} {portfolio.Rows.Count}, {TraceFile} {n})");

        var m = new float[shape.MarketLength];
        var p = new float[shape.PortfolioSize];
        double worst = 0;
        var worstStep = -1;
        for (var k = 0; k < n; k++)
        {
            var mr = market.Rows[k];
            for (var i = 0; i < m.Length; i++) m[i] = (float)mr[i + 1];
            for (var i = 0; i < p.Length; i++) p[i] = (float)portfolio.Rows[k][pCols[i]];
            var expectedAction = ActionScaling.Unscale((float)trace.Rows[k][tanhCol]);
            var diff = Math.Abs((double)policy.Predict(m, p) - expectedAction);
            if (diff > worst || double.IsNaN(diff))
            {
                worst = double.IsNaN(diff) ? double.PositiveInfinity : diff;
                worstStep = k;
            }
        }
        return new ParityResult(n, worst, worstStep, Tolerance);
    }

    private static AfmlException Failed(string path, string what) =>
        new("ParityGateFailed", AfmlErrorCategory.InvalidData, what + ".", path);

    /// <summary>A numeric CSV (empty fields are NaN; non-numeric fields are NaN too, the gate only reads numbers).</summary>
    private sealed record Csv(string Path, string[] Header, List<double[]> Rows)
    {
        public int Column(string name)
        {
            var i = Array.IndexOf(Header, name);
            return i >= 0 ? i : throw Failed(Path, $"{Path}: no column '{name}'");
        }

        public static Csv Read(string path)
        {
            using var reader = new StreamReader(path);
            var header = (reader.ReadLine() ?? throw Failed(path, $"{path} is empty")).Split(',');
            var rows = new List<double[]>();
            var line = 1;
            while (reader.ReadLine() is { } text)
            {
                line++;
                if (text.Length == 0) continue;
                var fields = text.Split(',');
                if (fields.Length != header.Length) throw Failed(path, $"{path}, line {line}: {fields.Length} fields, the header has {header.Length}");
                var row = new double[fields.Length];
                for (var i = 0; i < fields.Length; i++)
                    row[i] = double.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
                rows.Add(row);
            }
            return new Csv(path, header, rows);
        }
    }
}
