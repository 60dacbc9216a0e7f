using System.Globalization;
using System.Text.Json;
using Afml.Core.Features;
using Xunit.Abstractions;

namespace Afml.Tests.Features;

public class FeaturePipelineTests(ITestOutputHelper output)
{
    private static readonly IndicatorSettings Demo = new(50, 200, 14, 12, 26, 9, 20, 2.0);

    [Fact]
    public void Demo_pipeline_reproduces_golden_indicator_rows()
    {
        var names = ScalerFeatureNames();
        Assert.Equal(Demo.FrameColumns, names);
        var pipeline = new FeaturePipeline(Demo, names);
        Assert.Equal(199, pipeline.WarmupCandles);

        var golden = names.Select(n => Golden.Indicators[n]).ToArray();
        var inTrain = Golden.Indicators["in_train_frame"];
        var computed = Enumerable.Range(0, names.Count).Select(_ => new double[Golden.Candles.Length]).ToArray();
        var row = new double[pipeline.FeatureCount];
        var firstComplete = -1;
        for (var i = 0; i < Golden.Candles.Length; i++)
        {
            var complete = pipeline.Update(Golden.Candles[i], row);
            Assert.Equal(golden.All(col => !double.IsNaN(col[i])), complete);
            if (complete && firstComplete < 0) firstComplete = i;
            if (inTrain[i] == 1) Assert.True(complete); // the training frame is exactly the complete rows after warm-up
            for (var j = 0; j < row.Length; j++) computed[j][i] = row[j];
        }

        Assert.Equal(pipeline.WarmupCandles, firstComplete);
        for (var j = 0; j < names.Count; j++) Parity.AssertColumn(names[j], golden[j], computed[j], output);
    }

    [Theory]
    [InlineData("7,100,21,5,35,5,14,2.5",
        "BBP_14_2.5,close,SMA_100,RSI_21,MACDs_5_35_5,SMA_7,MACD_5_35_5,BBB_14_2.5,MACDh_5_35_5,BBL_14_2.5,BBU_14_2.5,BBM_14_2.5")]
    [InlineData("20,7,7,8,21,5,50,3.0",
        "SMA_20,SMA_7,RSI_7,MACD_8_21_5,MACDh_8_21_5,MACDs_8_21_5,BBL_50_3.0,BBM_50_3.0,BBU_50_3.0,BBB_50_3.0,BBP_50_3.0,close")]
    [InlineData("20,100,7,8,21,5,10,1.5", "BBB_10_1.5,BBP_10_1.5,RSI_7")]
    public void Other_settings_reproduce_the_sweep_columns(string settingsText, string namesText)
    {
        var p = settingsText.Split(',');
        int I(int k) => int.Parse(p[k], CultureInfo.InvariantCulture);
        var settings = new IndicatorSettings(I(0), I(1), I(2), I(3), I(4), I(5), I(6), double.Parse(p[7], CultureInfo.InvariantCulture));
        var names = namesText.Split(',');
        var pipeline = new FeaturePipeline(settings, names);
        Assert.Equal(names, pipeline.FeatureNames);
        Assert.Equal(names.Length, pipeline.FeatureCount);

        var golden = names.Select(n => Golden.Sweep[n]).ToArray();
        var firstGoldenComplete = Enumerable.Range(0, Golden.Sweep.RowCount).First(i => golden.All(col => !double.IsNaN(col[i])));
        Assert.Equal(firstGoldenComplete, pipeline.WarmupCandles);

        var computed = names.Select(_ => new double[Golden.Candles.Length]).ToArray();
        var row = new double[names.Length];
        for (var i = 0; i < Golden.Candles.Length; i++)
        {
            Assert.Equal(i >= pipeline.WarmupCandles, pipeline.Update(Golden.Candles[i], row));
            for (var j = 0; j < row.Length; j++) computed[j][i] = row[j];
        }

        for (var j = 0; j < names.Length; j++) Parity.AssertColumn(names[j], golden[j], computed[j], output);
    }

    [Theory]
    [InlineData("SMA_51")]
    [InlineData("EMA_9")]
    [InlineData("BBL_20_2")]
    [InlineData("Close")]
    public void Unknown_feature_name_is_rejected_by_name(string unknown)
    {
        var names = Demo.FrameColumns.Append(unknown).ToArray();
        var ex = Assert.Throws<ArgumentException>(() => new FeaturePipeline(Demo, names));
        Assert.Contains($"'{unknown}'", ex.Message);
    }

    [Fact]
    public void Feature_span_must_have_feature_count_length()
    {
        var pipeline = new FeaturePipeline(Demo, ["close", "SMA_50"]);
        Assert.Throws<ArgumentException>(() => pipeline.Update(Golden.Candles[0], new double[3]));
    }

    [Fact]
    public void Non_finite_candle_is_rejected()
    {
        var pipeline = new FeaturePipeline(Demo, ["close"]);
        var bad = Golden.Candles[0] with { Close = double.NaN };
        Assert.Throws<ArgumentException>(() => pipeline.Update(bad, new double[1]));
    }

    [Fact]
    public void Open_time_must_increase()
    {
        var pipeline = new FeaturePipeline(Demo, ["close"]);
        var row = new double[1];
        pipeline.Update(Golden.Candles[1], row);
        Assert.Throws<ArgumentException>(() => pipeline.Update(Golden.Candles[1], row));
        Assert.Throws<ArgumentException>(() => pipeline.Update(Golden.Candles[0], row));
    }

    [Fact]
    public void Update_does_not_allocate()
    {
        var pipeline = new FeaturePipeline(Demo, Demo.FrameColumns);
        var row = new double[pipeline.FeatureCount];
        var candles = Golden.Candles;
        for (var i = 0; i < 300; i++) pipeline.Update(candles[i], row); // warm up JIT tiers and buffers

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 300; i < 5_000; i++) pipeline.Update(candles[i], row);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static IReadOnlyList<string> ScalerFeatureNames()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestData.FixtureTrainingDir, "scaler_train.json")));
        return doc.RootElement.GetProperty("feature_names").EnumerateArray().Select(e => e.GetString()!).ToArray();
    }
}

/// <summary>A live session warms up on recent history only: after <see cref="IndicatorSettings.ConvergenceCandles"/>
/// more candles than the warm-up, its features equal the trainer's (computed from the start of the file).</summary>
public class ConvergenceTests
{
    private static readonly IndicatorSettings Demo = new(50, 200, 14, 12, 26, 9, 20, 2.0);

    [Fact]
    public void Default_settings_need_373_candles_to_forget_the_start()
    {
        Assert.Equal(373, Demo.ConvergenceCandles());
        Assert.True(Demo.ConvergenceCandles(1e-6) < Demo.ConvergenceCandles(1e-12));
    }

    [Theory]
    [InlineData(5000)]
    [InlineData(15000)]
    public void Features_started_late_match_the_whole_series_after_warmup_plus_convergence(int start)
    {
        var names = Demo.FrameColumns;
        var late = new FeaturePipeline(Demo, names);
        var whole = new FeaturePipeline(Demo, names);
        var a = new double[names.Count];
        var b = new double[names.Count];
        var settled = start + late.WarmupCandles + Demo.ConvergenceCandles();
        // Differences as the model sees them: in units of the scaler's scale (a relative measure fails for values
        // that cross zero, like the MACD histogram).
        var scale = ScalerScale(names);
        double worst = 0, worstBefore = 0;
        for (var i = 0; i < settled + 200; i++)
        {
            whole.Update(Golden.Candles[i], b);
            if (i < start) continue;
            late.Update(Golden.Candles[i], a);
            if (i < start + late.WarmupCandles) continue;
            for (var j = 0; j < a.Length; j++)
            {
                var rel = Math.Abs(a[j] - b[j]) / scale[j];
                if (i >= settled) worst = Math.Max(worst, rel); else worstBefore = Math.Max(worstBefore, rel);
            }
        }
        Assert.True(worstBefore > 1e-9, $"right after the warm-up the recursive indicators still remember the start ({worstBefore:E2})");
        // What remains is pandas' running-sum rounding noise, which depends on where any series starts (the trainer's
        // own values depend on its file's first row): measured 5.4e-9, below float32's resolution of the observation
        // (6e-8 at 1.0), so the model sees the same input except for rare last-bit roundings.
        Assert.True(worst <= 2e-8, $"after convergence: max difference {worst:E2} scaler units");
    }

    private static double[] ScalerScale(IReadOnlyList<string> names)
    {
        var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(TestData.FixtureTrainingDir, "scaler_train.json"))).RootElement;
        var fn = json.GetProperty("feature_names").EnumerateArray().Select(e => e.GetString()!).ToList();
        var sc = json.GetProperty("scale").EnumerateArray().Select(e => e.GetDouble()).ToList();
        return names.Select(n => sc[fn.IndexOf(n)]).ToArray();
    }
}
