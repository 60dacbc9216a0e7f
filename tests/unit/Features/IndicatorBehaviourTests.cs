using Afml.Core.Features;

namespace Afml.Tests.Features;

/// <summary>Warm-up lengths, degenerate series and pandas-ta quirks, on small synthetic series.</summary>
public class IndicatorBehaviourTests
{
    private static readonly double[] Wavy = Enumerable.Range(0, 120).Select(i => 100 + 10 * Math.Sin(i * 0.3) + i * 0.05).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(30)]
    public void Sma_and_ema_start_at_row_length_minus_one(int length)
    {
        var sma = new SimpleMovingAverage(length);
        var ema = new ExponentialMovingAverage(length);
        Assert.Equal(length - 1, sma.Lookback);
        Assert.Equal(length - 1, ema.Lookback);
        AssertWarmup(sma.Lookback, Wavy.Select(sma.Update));
        AssertWarmup(ema.Lookback, Wavy.Select(ema.Update));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(14)]
    public void Rsi_and_atr_start_at_row_length(int length)
    {
        var rsi = new RelativeStrengthIndex(length);
        var atr = new AverageTrueRange(length);
        Assert.Equal(length, rsi.Lookback);
        Assert.Equal(length, atr.Lookback);
        AssertWarmup(length, Wavy.Select(rsi.Update));
        AssertWarmup(length, Wavy.Select(c => atr.Update(c + 1, c - 1, c)));
    }

    [Theory]
    [InlineData(12, 26, 9)]
    [InlineData(5, 35, 5)]
    [InlineData(3, 3, 1)]
    public void Macd_line_starts_at_slow_minus_one_and_signal_at_slow_plus_signal_minus_two(int fast, int slow, int signal)
    {
        var macd = new Macd(fast, slow, signal);
        Assert.Equal(slow - 1, macd.LineLookback);
        Assert.Equal(slow + signal - 2, macd.Lookback);
        var values = Wavy.Select(macd.Update).ToArray();
        AssertWarmup(macd.LineLookback, values.Select(v => v.Line));
        AssertWarmup(macd.Lookback, values.Select(v => v.Signal));
        AssertWarmup(macd.Lookback, values.Select(v => v.Histogram));
    }

    [Fact]
    public void Macd_swaps_fast_and_slow_like_pandas_ta()
    {
        var swapped = new Macd(26, 12, 9);
        var normal = new Macd(12, 26, 9);
        Assert.Equal((12, 26), (swapped.Fast, swapped.Slow));
        Assert.Equal(Wavy.Select(normal.Update).ToArray(), Wavy.Select(swapped.Update).ToArray());
        Assert.Equal(["MACD_12_26_9", "MACDh_12_26_9", "MACDs_12_26_9"],
            new IndicatorSettings(50, 200, 14, 26, 12, 9, 20, 2.0).IndicatorColumns.Where(c => c.StartsWith("MACD", StringComparison.Ordinal)));
    }

    [Fact]
    public void Bollinger_starts_at_row_length_minus_one()
    {
        var bb = new BollingerBands(20, 2.0);
        Assert.Equal(19, bb.Lookback);
        var values = Wavy.Select(bb.Update).ToArray();
        AssertWarmup(19, values.Select(v => v.Lower));
        AssertWarmup(19, values.Select(v => v.Percent));
    }

    [Fact]
    public void Bollinger_of_length_one_uses_a_30_row_variance_like_pandas_ta()
    {
        // pandas-ta's variance() treats length <= 1 as "unset" and falls back to 30.
        var bb = new BollingerBands(1, 2.0);
        Assert.Equal(29, bb.Lookback);
        AssertWarmup(29, Wavy.Select(c => bb.Update(c).Upper));
    }

    [Fact]
    public void Constant_series_gives_exact_mean_and_zero_variance()
    {
        // A plain running sum of 0.1 drifts; pandas (GH#42064) returns the repeated value itself.
        var sma = new SimpleMovingAverage(7);
        var bb = new BollingerBands(7, 2.0);
        for (var i = 0; i < 50; i++)
        {
            var mean = sma.Update(0.1);
            var band = bb.Update(0.1);
            if (i < 6) continue;
            Assert.Equal(0.1, mean);
            Assert.Equal(0.1, band.Lower);
            Assert.Equal(0.1, band.Upper);
        }
    }

    [Fact]
    public void Zero_band_width_row_gets_epsilon()
    {
        // Width 0 → pandas-ta's non_zero_range adds machine epsilon: BBB = 100·ε/mid, BBP = ε/ε = 1.
        var bb = new BollingerBands(5, 2.0);
        BollingerBandsValue last = default;
        for (var i = 0; i < 5; i++) last = bb.Update(42.0);
        Assert.Equal(100 * NonZeroRange.MachineEpsilon / 42.0, last.Bandwidth);
        Assert.Equal(1.0, last.Percent);
    }

    [Fact]
    public void Epsilon_is_added_per_row_not_to_the_whole_series()
    {
        // pandas-ta adds ε to (upper − lower) on EVERY row once any row of the series has a zero width; a stream
        // cannot know that in advance, so only the zero rows get it. Elsewhere the batch width is (width + ε).
        var bb = new BollingerBands(5, 2.0);
        var closes = Enumerable.Repeat(1.5, 5).Concat([1.5000001, 1.4999999, 1.5, 101.5, 99.25, 100.0, 98.5, 102.0]).ToArray();
        var values = closes.Select(bb.Update).ToArray();

        Assert.Equal(100 * NonZeroRange.MachineEpsilon / 1.5, values[4].Bandwidth); // the zero row: as pandas-ta
        for (var i = 5; i < values.Length; i++)
        {
            var v = values[i];
            var width = v.Upper - v.Lower;
            Assert.NotEqual(0, width);
            Assert.Equal(100 * width / v.Mid, v.Bandwidth); // streaming: no ε on a non-zero row
            var batchWidth = width + NonZeroRange.MachineEpsilon; // pandas-ta on this whole series
            Assert.True(Math.Abs(batchWidth - width) <= NonZeroRange.MachineEpsilon);
            if (width >= 4) Assert.Equal(width, batchWidth); // ε is below half an ulp: no difference at all
        }

        // Tiny widths (rows 5-7, ~1e-7) are the only place where the relative difference can exceed 1e-9.
        Assert.True(values[5].Upper - values[5].Lower < 1e-6);
        Assert.True(values[^1].Upper - values[^1].Lower >= 4);
    }

    [Fact]
    public void Rsi_is_100_on_a_rising_series_and_undefined_on_a_flat_one()
    {
        var rising = new RelativeStrengthIndex(3);
        var flat = new RelativeStrengthIndex(3);
        double up = double.NaN, level = double.NaN;
        for (var i = 0; i < 10; i++)
        {
            up = rising.Update(100 + i);
            level = flat.Update(100);
        }

        Assert.Equal(100.0, up);
        Assert.True(double.IsNaN(level)); // 0 / (0 + 0), as pandas
    }

    [Fact]
    public void Ohlcv_only_pipeline_is_complete_from_the_first_candle()
    {
        var pipeline = new FeaturePipeline(new IndicatorSettings(50, 200, 14, 12, 26, 9, 20, 2.0), ["volume", "open"]);
        Assert.Equal(0, pipeline.WarmupCandles);
        var row = new double[2];
        Assert.True(pipeline.Update(new Afml.Core.MarketData.Candle(0, 1, 2, 0.5, 1.5, 10), row));
        Assert.Equal([10.0, 1.0], row);
    }

    [Fact]
    public void Invalid_parameters_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimpleMovingAverage(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RelativeStrengthIndex(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Macd(12, 0, 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BollingerBands(20, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BollingerBands(20, double.NaN));
        Assert.Throws<ArgumentException>(() => new FeaturePipeline(new IndicatorSettings(50, 200, 14, 12, 26, 9, 20, 2.0), []));
    }

    private static void AssertWarmup(int lookback, IEnumerable<double> values)
    {
        var list = values.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (i < lookback) Assert.True(double.IsNaN(list[i]), $"row {i} should be NaN (lookback {lookback}), got {list[i]}");
            else Assert.False(double.IsNaN(list[i]), $"row {i} should be defined (lookback {lookback})");
        }
    }
}
