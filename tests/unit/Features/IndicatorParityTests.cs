using Afml.Core.Features;
using Afml.Core.MarketData;
using Xunit.Abstractions;

namespace Afml.Tests.Features;

/// <summary>Every indicator column of golden/indicators.csv and golden/indicators_sweep.csv, on every row, bit for bit,
/// reproduced by the streaming indicators fed one candle at a time.</summary>
public class IndicatorParityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("indicators", 50)]
    [InlineData("indicators", 200)]
    [InlineData("sweep", 7)]
    [InlineData("sweep", 20)]
    [InlineData("sweep", 100)]
    public void Sma_matches_pandas_rolling_mean(string file, int length)
    {
        var sma = new SimpleMovingAverage(length);
        Parity.AssertColumn($"SMA_{length}", Table(file)[$"SMA_{length}"], Run(c => sma.Update(c.Close)), output);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(21)]
    [InlineData(50)]
    public void Ema_matches_pandas_ta_ema(int length)
    {
        var ema = new ExponentialMovingAverage(length);
        Parity.AssertColumn($"EMA_{length}", Golden.Sweep[$"EMA_{length}"], Run(c => ema.Update(c.Close)), output);
    }

    [Theory]
    [InlineData("indicators", 14)]
    [InlineData("sweep", 7)]
    [InlineData("sweep", 21)]
    public void Rsi_matches_pandas_ta_rsi(string file, int length)
    {
        var rsi = new RelativeStrengthIndex(length);
        Parity.AssertColumn($"RSI_{length}", Table(file)[$"RSI_{length}"], Run(c => rsi.Update(c.Close)), output);
    }

    [Theory]
    [InlineData("indicators", 12, 26, 9)]
    [InlineData("sweep", 5, 35, 5)]
    [InlineData("sweep", 8, 21, 5)]
    public void Macd_matches_pandas_ta_macd(string file, int fast, int slow, int signal)
    {
        var macd = new Macd(fast, slow, signal);
        var values = Run(c => macd.Update(c.Close));
        var suffix = $"_{fast}_{slow}_{signal}";
        var table = Table(file);
        Parity.AssertColumn("MACD" + suffix, table["MACD" + suffix], values.Select(v => v.Line).ToArray(), output);
        Parity.AssertColumn("MACDh" + suffix, table["MACDh" + suffix], values.Select(v => v.Histogram).ToArray(), output);
        Parity.AssertColumn("MACDs" + suffix, table["MACDs" + suffix], values.Select(v => v.Signal).ToArray(), output);
    }

    [Theory]
    [InlineData("indicators", 20, 2.0)]
    [InlineData("sweep", 10, 1.5)]
    [InlineData("sweep", 14, 2.5)]
    [InlineData("sweep", 50, 3.0)]
    public void Bollinger_matches_pandas_ta_bbands(string file, int length, double std)
    {
        var bb = new BollingerBands(length, std);
        var values = Run(c => bb.Update(c.Close));
        var suffix = $"_{length}_{PythonFloat.Format(std)}";
        var table = Table(file);
        Parity.AssertColumn("BBL" + suffix, table["BBL" + suffix], values.Select(v => v.Lower).ToArray(), output);
        Parity.AssertColumn("BBM" + suffix, table["BBM" + suffix], values.Select(v => v.Mid).ToArray(), output);
        Parity.AssertColumn("BBU" + suffix, table["BBU" + suffix], values.Select(v => v.Upper).ToArray(), output);
        Parity.AssertColumn("BBB" + suffix, table["BBB" + suffix], values.Select(v => v.Bandwidth).ToArray(), output);
        Parity.AssertColumn("BBP" + suffix, table["BBP" + suffix], values.Select(v => v.Percent).ToArray(), output);
    }

    [Theory]
    [InlineData(14)]
    [InlineData(21)]
    public void Atr_matches_pandas_ta_atr_rma(int length)
    {
        var atr = new AverageTrueRange(length);
        Parity.AssertColumn($"ATRr_{length}", Golden.Sweep[$"ATRr_{length}"], Run(c => atr.Update(c.High, c.Low, c.Close)), output);
    }

    [Fact]
    public void Golden_input_series_is_the_sweep_series()
    {
        // Both fixtures were computed on the same continuity-fixed, interpolated series.
        Assert.Equal(Golden.Indicators.RowCount, Golden.Sweep.RowCount);
        Assert.Equal(Golden.Indicators["open_time"], Golden.Sweep["open_time"]);
        Assert.Equal(Golden.Indicators["close"], Golden.Sweep["close"]);
        Assert.Equal(20_543, Golden.Indicators.RowCount);
    }

    private static GoldenTable Table(string file) => file == "sweep" ? Golden.Sweep : Golden.Indicators;

    private static T[] Run<T>(Func<Candle, T> step) => Golden.Candles.Select(step).ToArray();
}
