using System.Globalization;
using System.Security.Cryptography;
using Afml.Core;
using Afml.Core.Configuration;
using Afml.Core.Recording;
using Afml.Core.Session;
using Afml.Tests.Agent;
using Xunit.Abstractions;

namespace Afml.Tests.Validation;

/// <summary>
/// Generated malformed trainings, candle files and registros (seeded, <see cref="MalformedInputGenerator"/>) go
/// through the real entry points — a replay start through <see cref="SessionFactory"/>, Import-AfmlRegistro's
/// <see cref="RegistroReader"/> — and each must be an <see cref="AfmlException"/> with an ErrorId, leaving every
/// file in produccion/ as it was. The counts are reported (build.ps1 prints them before the summary line).
/// </summary>
public sealed class MalformedInputTests(ITestOutputHelper output) : IDisposable
{
    private const int Trainings = 90;
    private const int CandleFiles = 90;
    private const int Registros = 60;

    private readonly TrainingCopy _t = new(golden: false);
    private readonly DirectoryInfo _tmp = Directory.CreateTempSubdirectory("afml-malformed-");

    [Fact]
    public void Every_generated_malformed_input_gets_an_error_id_and_leaves_produccion_untouched()
    {
        var gen = new MalformedInputGenerator(seed: 13);
        var config = File.ReadAllText(_t.PathOf(TrainingFolder.ConfigFileName));
        var scaler = File.ReadAllText(_t.PathOf(TrainingFolder.ScalerJsonFileName));
        var names = Afml.Core.Agent.ScalerJsonReader.Read(_t.PathOf(TrainingFolder.ScalerJsonFileName)).FeatureNames;

        // A produccion/ with a previous session's registro: a refused start must neither add a file nor touch one.
        var production = _t.PathOf(TrainingFolder.ProductionDirName);
        Directory.CreateDirectory(production);
        var registroLines = RegistroLines();
        File.WriteAllText(Path.Combine(production, "registro_20250101_000000.csv"), string.Join('\n', registroLines) + "\n");
        var before = Snapshot(production);

        var candleRows = File.ReadLines(Path.Combine(TestData.SharedDir, "data", "BTCUSDT-1h.csv")).Skip(1).Take(400).ToList();
        var goodCandles = Path.Combine(_tmp.FullName, "good.csv");
        File.WriteAllLines(goodCandles, ["open_time,open,high,low,close,volume", .. candleRows]);
        AssertStarts(goodCandles); // the unmutated inputs are accepted: every refusal below is the mutation's doing
        Directory.Delete(production, recursive: true);
        Directory.CreateDirectory(production);
        File.WriteAllText(Path.Combine(production, "registro_20250101_000000.csv"), string.Join('\n', registroLines) + "\n");
        before = Snapshot(production);

        var tally = new Tally();
        for (var n = 0; n < Trainings; n++)
        {
            File.WriteAllText(_t.PathOf(TrainingFolder.ConfigFileName), config);
            File.WriteAllText(_t.PathOf(TrainingFolder.ScalerJsonFileName), scaler);
            string what;
            if (n % 3 == 2)
            {
                (var json, what) = gen.MutateScaler(scaler, names);
                File.WriteAllText(_t.PathOf(TrainingFolder.ScalerJsonFileName), json);
            }
            else
            {
                (var yaml, what) = gen.MutateConfig(config);
                File.WriteAllText(_t.PathOf(TrainingFolder.ConfigFileName), yaml);
            }
            tally.Try("training", what, () => Start(goodCandles));
            Assert.Equal(before, Snapshot(production));
        }
        File.WriteAllText(_t.PathOf(TrainingFolder.ConfigFileName), config);
        File.WriteAllText(_t.PathOf(TrainingFolder.ScalerJsonFileName), scaler);

        for (var n = 0; n < CandleFiles; n++)
        {
            var path = Path.Combine(_tmp.FullName, $"candles-{n}.csv");
            string what;
            if (n % 15 == 14)
            {
                Directory.CreateDirectory(path);
                what = "candles: a directory";
            }
            else
            {
                (var text, what) = gen.MutateCandles(candleRows);
                File.WriteAllText(path, text, System.Text.Encoding.Latin1);
            }
            tally.Try("candles", what, () => Start(path));
            Assert.Equal(before, Snapshot(production));
        }

        for (var n = 0; n < Registros; n++)
        {
            var path = Path.Combine(_tmp.FullName, $"registro_{n}.csv");
            string what;
            if (n % 20 == 19)
            {
                Directory.CreateDirectory(path);
                what = "registro: a directory";
            }
            else
            {
                (var text, what) = gen.MutateRegistro(registroLines);
                File.WriteAllText(path, text);
            }
            tally.Try("registro", what, () => RegistroReader.Read(path).ToList());
        }

        var line = tally.ReportLine();
        MalformedInputReport.Write(output, line);
        foreach (var d in tally.Details) output.WriteLine(d);
        Assert.True(tally.Other == 0 && tally.Accepted == 0, line + Environment.NewLine + string.Join(Environment.NewLine, tally.Failures));
        Assert.Equal(Trainings + CandleFiles + Registros, tally.WithErrorId);
    }

    private void Start(string candles)
    {
        var built = new SessionFactory(TimeProvider.System).Create(new SessionOptions { TrainId = _t.TrainId, TrainingRoot = _t.Root, ReplayPath = candles });
        built.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private void AssertStarts(string candles) => Start(candles);

    private static List<string> RegistroLines()
    {
        var lines = new List<string> { "timestamp,paso,action,precio,balance,equity,max_drawdown,pnl_total,posicion_abierta,operacion,resultado,trade_id" };
        for (var i = 0; i < 20; i++)
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"2025-01-01 {i:00}:00:00,{i + 1},{(i % 7 - 3) / 3.0:R},{94000 + i * 10.5:R},10000.0,{10000 - i * 1.25:R},0.0,{-i * 1.25:R},{(i % 2 == 0 ? "True" : "False")},{(i % 2 == 0 ? "abrir_long" : "mantener")},True,{i}"));
        return lines;
    }

    private static List<(string Name, string Hash)> Snapshot(string dir) =>
        Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => (Path.GetRelativePath(dir, p), File.Exists(p) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))) : "dir"))
            .ToList();

    private sealed class Tally
    {
        private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _kinds = new(StringComparer.Ordinal);
        public int Tried { get; private set; }
        public int WithErrorId { get; private set; }
        public int Other { get; private set; }
        public int Accepted { get; private set; }
        public List<string> Failures { get; } = [];
        public List<string> Details { get; } = [];

        public void Try(string kind, string what, Action action)
        {
            Tried++;
            _kinds[kind] = _kinds.GetValueOrDefault(kind) + 1;
            try
            {
                action();
                Accepted++;
                Failures.Add($"accepted: {what}");
            }
            catch (AfmlException ex) when (!string.IsNullOrWhiteSpace(ex.ErrorId))
            {
                WithErrorId++;
                _ids[ex.ErrorId] = _ids.GetValueOrDefault(ex.ErrorId) + 1;
                Details.Add($"{ex.ErrorId,-22} {what}");
            }
            catch (Exception ex)
            {
                Other++;
                Failures.Add($"{ex.GetType().Name}: {what}: {ex.Message}");
            }
        }

        public string ReportLine() => string.Create(CultureInfo.InvariantCulture,
            $"malformed-inputs: tried={Tried} errorid={WithErrorId} other={Other} accepted={Accepted} ({string.Join(" ", _kinds.Select(k => $"{k.Key}={k.Value}"))}; " +
            $"{_ids.Count} ids: {string.Join(",", _ids.OrderByDescending(k => k.Value).ThenBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}x{k.Value}"))})");
    }

    public void Dispose()
    {
        _t.Dispose();
        try { _tmp.Delete(recursive: true); } catch (IOException) { }
    }
}

/// <summary>Like the fault suite's report: the line to the test output and, under build.ps1 (<c>AFML_TEST_REPORT_DIR</c>),
/// to <c>malformed-inputs.report.txt</c>, which the build prints before its summary.</summary>
internal static class MalformedInputReport
{
    public const string FileName = "malformed-inputs.report.txt";

    public static void Write(ITestOutputHelper output, string line)
    {
        output.WriteLine(line);
        var dir = Environment.GetEnvironmentVariable(Afml.Tests.Session.TestReport.DirectoryVariable);
        if (string.IsNullOrWhiteSpace(dir)) return;
        Directory.CreateDirectory(dir);
        File.AppendAllText(Path.Combine(dir, FileName), line + Environment.NewLine);
    }
}
