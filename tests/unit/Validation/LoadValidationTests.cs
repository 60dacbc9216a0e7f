using Afml.Core;
using Afml.Core.Agent;
using Afml.Core.Configuration;
using Afml.Core.MarketData;
using Afml.Core.Recording;
using Afml.Core.Session;
using Afml.Tests.Agent;

namespace Afml.Tests.Validation;

/// <summary>One test per bad input of issue 13: each is refused (or warned about) with a stable ErrorId naming the
/// file, key, line or value, before anything is written to produccion/.</summary>
public sealed class LoadValidationTests : IDisposable
{
    private readonly TrainingCopy _t = new(golden: false);
    private readonly DirectoryInfo _tmp = Directory.CreateTempSubdirectory("afml-valid-");

    private string Config => _t.PathOf(TrainingFolder.ConfigFileName);
    private string ScalerJson => _t.PathOf(TrainingFolder.ScalerJsonFileName);
    private static string DemoCandles => Path.Combine(TestData.SharedDir, "data", "BTCUSDT-1h.csv");

    private void EditConfig(string from, string to)
    {
        var text = File.ReadAllText(Config);
        Assert.Contains(from, text);
        File.WriteAllText(Config, text.Replace(from, to));
    }

    private AfmlException LoadFails() => Assert.Throws<AfmlException>(() => TrainingLoader.Load(_t.Root, _t.TrainId));

    private AfmlException StartFails(SessionOptions options)
    {
        var ex = Assert.Throws<AfmlException>(() => new SessionFactory(TimeProvider.System).Create(options));
        Assert.False(Directory.Exists(_t.PathOf(TrainingFolder.ProductionDirName)), "a refused start created produccion/");
        return ex;
    }

    private SessionOptions Replay(string path) => new() { TrainId = _t.TrainId, TrainingRoot = _t.Root, ReplayPath = path };

    // ---- accepted and traded on ----

    [Fact]
    public void Scaler_names_in_another_order_with_the_same_statistics_are_refused()
    {
        var text = File.ReadAllText(ScalerJson);
        File.WriteAllText(ScalerJson, text.Replace("\"SMA_50\"", "\"@\"").Replace("\"SMA_200\"", "\"SMA_50\"").Replace("\"@\"", "\"SMA_200\""));
        var ex = LoadFails();
        Assert.Equal("TrainingMismatch", ex.ErrorId);
        Assert.Contains("scaler_train.json: feature_names are not in the order the features are produced: position 5 is 'SMA_200', expected 'SMA_50'", ex.Message);
        var report = TrainingInspector.Inspect(_t.Root, _t.TrainId);
        Assert.Contains(report.Failures, c => c is { Name: "Consistency", ErrorId: "TrainingMismatch" });
    }

    [Fact]
    public void Four_hour_candles_on_a_one_hour_training_are_refused()
    {
        var path = WriteCandles(Enumerable.Range(0, 400).Select(i => Sane(T0 + i * 4 * Hour)));
        var ex = StartFails(Replay(path));
        Assert.Equal("CandleIntervalMismatch", ex.ErrorId);
        Assert.Contains(path, ex.Message);
        Assert.Contains("holds 4h candles (399 of 399 steps", ex.Message);
        Assert.Contains("the training uses 1h", ex.Message);
    }

    [Fact]
    public void A_gap_beyond_the_limit_is_refused_with_its_span()
    {
        var times = Enumerable.Range(0, 300).Select(i => T0 + i * Hour).Concat(Enumerable.Range(0, 300).Select(i => T0 + (5300 + i) * Hour));
        var path = WriteCandles(times.Select(Sane));
        var ex = StartFails(Replay(path));
        Assert.Equal("CandleGapTooLong", ex.ErrorId);
        Assert.Contains(path, ex.Message);
        Assert.Contains("data row 301: 5000 1h candles are missing from 2023-01-13T12:00:00Z to 2023-08-09T19:00:00Z (208.3 days)", ex.Message);
    }

    [Fact]
    public void Gaps_up_to_the_limit_are_filled_with_a_warning_as_the_trainer_did()
    {
        var warnings = new List<string>();
        var demo = ReplayCandleLoader.Load(DemoCandles, CandleInterval.Parse("1h"), warnings);
        Assert.Equal("1 vela(s) faltante(s) en '" + DemoCandles + "' rellenada(s) por interpolación lineal, como en el entrenamiento.", Assert.Single(warnings));
        Assert.Equal(20543, demo.Count);

        var times = Enumerable.Range(0, 10).Select(i => T0 + i * Hour).Concat(Enumerable.Range(0, 10).Select(i => T0 + (10 + ReplayCandleLoader.MaxFilledCandles + i) * Hour));
        warnings.Clear();
        var filled = ReplayCandleLoader.Load(WriteCandles(times.Select(Sane)), CandleInterval.Parse("1h"), warnings);
        Assert.Equal(20 + ReplayCandleLoader.MaxFilledCandles, filled.Count);
        Assert.Single(warnings);
    }

    [Theory]
    [InlineData("100,97,98,99,5", "low is above high")]
    [InlineData("100,101,99,100,-5", "the volume is negative")]
    [InlineData("0,101,99,100,5", "a price is zero or negative")]
    [InlineData("100,101,-99,100,5", "a price is zero or negative")]
    [InlineData("100,101,99,102,5", "high is below open or close")]
    [InlineData("98,101,99,100,5", "low is above open or close")]
    public void Impossible_candles_in_a_file_are_refused_naming_the_line(string row, string why)
    {
        var lines = Enumerable.Range(0, 300).Select(i => Line(Sane(T0 + i * Hour))).ToList();
        lines[41] = $"{T0 + 41 * Hour},{row}";
        var path = Path.Combine(_tmp.FullName, "bad.csv");
        File.WriteAllLines(path, ["open_time,open,high,low,close,volume", .. lines]);
        var ex = StartFails(Replay(path));
        Assert.Equal("CandleInvalid", ex.ErrorId);
        Assert.True(ex.Message.Contains($"{path}, line 43: the candle of 2023-01-02T17:00:00Z is impossible: {why}", StringComparison.Ordinal), ex.Message);
    }

    [Fact]
    public void Unknown_indicator_keys_are_refused_naming_key_and_line()
    {
        EditConfig("    BB_std: 2.0\n", "    BB_std: 2.0\n    EMA_length: 10\n");
        var ex = LoadFails();
        Assert.Equal("ConfigKeyUnknown", ex.ErrorId);
        Assert.Equal("preprocesamiento.indicadores.EMA_length", ex.Target);
        Assert.True(ex.Message.Contains("config_metadata.yaml: 'preprocesamiento.indicadores.EMA_length' (line 18)", StringComparison.Ordinal), ex.Message);
    }

    [Fact]
    public async Task A_train_id_that_differs_from_the_folder_is_a_warning()
    {
        EditConfig("  train_id: train_BTCUSDT_", "  train_id: renamed_train_BTCUSDT_");
        using var loaded = TrainingLoader.Load(_t.Root, _t.TrainId);
        Assert.Contains("'metadata_execution.train_id' is 'renamed_train_BTCUSDT_", Assert.Single(loaded.Config.Warnings));
        var report = TrainingInspector.Inspect(_t.Root, _t.TrainId);
        Assert.True(report.Passed);
        Assert.Contains(report.Checks, c => c is { Name: "ConfigWarnings", Status: TrainingCheckStatus.Warning });
        await using var built = new SessionFactory(TimeProvider.System).Create(Replay(DemoCandles));
        Assert.Contains(built.Warnings, w => w.Contains("metadata_execution.train_id", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("BTCUSDT&side=SELL")]
    [InlineData("BTC/USDT")]
    [InlineData("'../x'")]
    public void A_symbol_that_is_not_a_binance_symbol_is_refused(string symbol)
    {
        EditConfig("  symbol: BTCUSDT", "  symbol: " + symbol);
        var ex = LoadFails();
        Assert.Equal("ConfigValueInvalid", ex.ErrorId);
        Assert.Equal("data_downloader.symbol", ex.Target);
        Assert.Contains("(line 2)", ex.Message);
    }

    [Theory]
    [InlineData("1e9")]
    [InlineData("0.5")]
    [InlineData("126")]
    public void Leverage_outside_binance_range_is_refused_before_any_file_is_written(string leverage)
    {
        EditConfig("  apalancamiento: 5.0", "  apalancamiento: " + leverage);
        var ex = StartFails(Replay(DemoCandles));
        Assert.Equal("ConfigValueInvalid", ex.ErrorId);
        Assert.Equal("portafolio.apalancamiento", ex.Target);
        Assert.Contains("in [1, 125]", ex.Message);
    }

    [Fact]
    public void Every_config_problem_is_reported_at_once()
    {
        EditConfig("  interval: 1h", "  interval: 7h");
        EditConfig("  apalancamiento: 5.0", "  apalancamiento: 1e9");
        EditConfig("    RSI_length: 14\n", "    RSI_lenght: 14\n");
        EditConfig("  window_size: 30", "  window_size: thirty");
        var ex = LoadFails();
        Assert.Equal("ConfigValueInvalid", ex.ErrorId); // the first in file order
        Assert.Contains("has 5 problems", ex.Message);
        foreach (var part in new[] { "'data_downloader.interval' = '7h'", "'preprocesamiento.indicadores.RSI_lenght' (line", "key 'preprocesamiento.indicadores.RSI_length' is missing",
                     "'portafolio.apalancamiento' = 1000000000", "'entorno.window_size' = 'thirty' is not an integer" })
            Assert.Contains(part, ex.Message);
    }

    [Fact]
    public void A_duplicated_config_key_is_invalid_yaml_naming_the_line()
    {
        EditConfig("  window_size: 30\n", "  window_size: 30\n  window_size: 31\n");
        var ex = LoadFails();
        Assert.Equal("ConfigInvalid", ex.ErrorId);
        Assert.Contains(Config, ex.Message);
    }

    [Fact]
    public void Config_scaler_and_model_problems_are_reported_together()
    {
        EditConfig("  interval: 1h", "  interval: 7h");
        File.WriteAllText(ScalerJson, "null");
        File.Delete(_t.PathOf("modelos/modelo.onnx"));
        File.Delete(_t.PathOf("modelos/modelo.zip"));
        var ex = LoadFails();
        Assert.Equal("ConfigValueInvalid", ex.ErrorId);
        Assert.Contains("has 3 problems", ex.Message);
        Assert.Contains("'data_downloader.interval' = '7h'", ex.Message);
        Assert.Contains("scaler_train.json: holds a JSON null", ex.Message);
        Assert.Contains("Modelo no encontrado", ex.Message);
    }

    // ---- unclear: a bare .NET exception or the wrong thing named ----

    [Theory]
    [InlineData("null")]
    [InlineData("[1, 2]")]
    [InlineData("\"scaler\"")]
    [InlineData("{\"feature_names\": [\"open\"], \"mean\": [1e999], \"scale\": [1]}")]
    public void A_scaler_json_that_is_not_an_object_fails_cleanly_in_start_get_and_test(string json)
    {
        File.WriteAllText(ScalerJson, json);
        var ex = LoadFails();
        Assert.Equal("ScalerInvalid", ex.ErrorId);
        Assert.Contains(ScalerJson, ex.Message);
        Assert.Equal("ScalerInvalid", Assert.Throws<AfmlException>(() => TrainingDescription.Describe(_t.Root, _t.TrainId)).ErrorId);
        Assert.Equal("ScalerInvalid", StartFails(Replay(DemoCandles)).ErrorId);
        var report = TrainingInspector.Inspect(_t.Root, _t.TrainId); // returns its report, never throws
        Assert.False(report.Passed);
        Assert.Contains(report.Failures, c => c is { Name: "Scaler", ErrorId: "ScalerInvalid" });
    }

    [Fact]
    public void A_candle_file_over_the_size_limit_is_refused_at_once_naming_it()
    {
        var path = Path.Combine(_tmp.FullName, "huge.csv");
        using (var f = File.Create(path)) f.SetLength(2L * 1024 * 1024 * 1024 + 1); // sparse: no disk used
        var ex = StartFails(Replay(path));
        Assert.Equal("CandleFileTooLarge", ex.ErrorId);
        Assert.Contains(path, ex.Message);
        Assert.Contains("2147483649 bytes", ex.Message);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/x")]
    [InlineData("file:///tmp/x")]
    [InlineData("ws://127.0.0.1:9")]
    public void An_endpoint_that_is_not_http_is_refused(string endpoint)
    {
        var ex = StartFails(new SessionOptions { TrainId = _t.TrainId, TrainingRoot = _t.Root, Venue = VenueKind.Paper, Binance = new Afml.Core.Venues.BinanceConnection { Endpoint = new Uri(endpoint) } });
        Assert.Equal("EndpointInvalid", ex.ErrorId);
        Assert.Contains(endpoint.TrimEnd('/'), ex.Message);
    }

    [Fact]
    public void An_interval_binance_does_not_serve_is_refused_naming_the_config_key()
    {
        EditConfig("  interval: 1h", "  interval: 7h");
        var ex = StartFails(Replay(DemoCandles));
        Assert.Equal("ConfigValueInvalid", ex.ErrorId);
        Assert.Equal("data_downloader.interval", ex.Target);
        Assert.Contains("config_metadata.yaml: 'data_downloader.interval' = '7h' is not a Binance kline interval", ex.Message);
        Assert.Contains("(line 3)", ex.Message);
    }

    [Theory]
    [InlineData(1_000L, "epoch seconds")]
    [InlineData(1_000_000L, "epoch microseconds")]
    public void Timestamps_in_other_units_are_named_with_the_file(long perMillisecond, string unit)
    {
        var path = Path.Combine(_tmp.FullName, "units.csv");
        File.WriteAllLines(path, ["open_time,open,high,low,close,volume", .. Enumerable.Range(0, 300).Select(i => Line(Sane(T0 + i * Hour)))
            .Select(l => l.Split(',', 2) is var f ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(perMillisecond == 1_000 ? long.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture) / 1_000 : long.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture) * 1_000)},{f[1]}") : l)]);
        var ex = StartFails(Replay(path));
        Assert.Equal("CandleFileInvalid", ex.ErrorId);
        Assert.Contains($"{path}, line 2", ex.Message);
        Assert.Contains(unit, ex.Message);
    }

    [Fact]
    public void A_directory_as_replay_file_or_registro_is_named_as_a_directory()
    {
        var ex = StartFails(Replay(_tmp.FullName));
        Assert.Equal("CandleFileIsDirectory", ex.ErrorId);
        Assert.Contains(_tmp.FullName, ex.Message);
        var reg = Assert.Throws<AfmlException>(() => RegistroReader.Read(_tmp.FullName).ToList());
        Assert.Equal("RegistroIsDirectory", reg.ErrorId);
        Assert.Contains("is a directory", reg.Message);
    }

    [Theory]
    [InlineData("99999999999999999")]
    [InlineData("-1")]
    public void A_registro_timestamp_out_of_range_is_a_registro_error(string stamp)
    {
        var path = Path.Combine(_tmp.FullName, "registro_x.csv");
        File.WriteAllText(path, $"timestamp,paso,action,precio,balance,equity\n2025-01-01 00:00:00,1,0.5,100,10000,10000\n{stamp},2,0.5,100,10000,10000\n2025-01-01 02:00:00,3,0.5,100,10000,10000\n");
        var ex = Assert.Throws<AfmlException>(() => RegistroReader.Read(path).ToList());
        Assert.Equal("RegistroInvalid", ex.ErrorId);
        Assert.Contains($"{path}, line 3: column 'timestamp' has '{stamp}', not a date", ex.Message);
    }

    // ---- reaching outside ----

    [Theory]
    [InlineData("/etc")]
    [InlineData("../outside")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("C:x")]
    [InlineData(" train")]
    [InlineData("")]
    [InlineData("tr\u0001ain")]
    public void Every_train_id_goes_through_one_validator(string id)
    {
        Assert.Equal("TrainIdInvalid", Assert.Throws<AfmlException>(() => TrainingFolder.ValidateTrainId(id)).ErrorId);
        Assert.False(TrainingFolder.IsValidTrainId(id));
        Assert.Equal("TrainIdInvalid", Assert.Throws<AfmlException>(() => TrainingFolder.Open(_t.Root, id)).ErrorId);
        Assert.Equal("TrainIdInvalid", Assert.Throws<AfmlException>(() => TrainingInspector.Inspect(_t.Root, id)).ErrorId);
        Assert.Equal("TrainIdInvalid", Assert.Throws<AfmlException>(() => TrainingDescription.Describe(_t.Root, id)).ErrorId);
        Assert.Equal("TrainIdInvalid", Assert.Throws<AfmlException>(() => new SessionFactory(TimeProvider.System).Create(Replay(DemoCandles) with { TrainId = id })).ErrorId);
    }

    [Fact]
    public void A_valid_train_id_is_returned_unchanged() =>
        Assert.Equal(_t.TrainId, TrainingFolder.ValidateTrainId(_t.TrainId));

    // ---- helpers ----

    internal const long Hour = 3_600_000;
    internal static readonly long T0 = new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    internal static Candle Sane(long t)
    {
        var p = 100 + t / Hour % 37;
        return new Candle(t, p, p + 2, p - 2, p + 1, 10 + t / Hour % 5);
    }

    internal static string Line(Candle c) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{c.OpenTime},{c.Open},{c.High},{c.Low},{c.Close},{c.Volume}");

    private string WriteCandles(IEnumerable<Candle> candles)
    {
        var path = Path.Combine(_tmp.FullName, $"candles-{Guid.NewGuid():N}.csv");
        File.WriteAllLines(path, ["open_time,open,high,low,close,volume", .. candles.Select(Line)]);
        return path;
    }

    public void Dispose()
    {
        _t.Dispose();
        try { _tmp.Delete(recursive: true); } catch (IOException) { }
    }
}
