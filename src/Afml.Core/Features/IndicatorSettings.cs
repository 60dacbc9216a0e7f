using System.Globalization;

namespace Afml.Core.Features;

/// <summary>The trainer's <c>preprocesamiento.indicadores</c> block.</summary>
public sealed record IndicatorSettings(
    int SmaShort,
    int SmaLong,
    int RsiLength,
    int MacdFast,
    int MacdSlow,
    int MacdSignal,
    int BbLength,
    double BbStd)
{
    /// <summary>The Bollinger std as Python's <c>str(float)</c> prints it (2.0 → "2.0", 2.5 → "2.5"):
    /// pandas-ta puts that text into its column names.</summary>
    public string BbStdText => PythonFloat.Format(BbStd);

    /// <summary>Columns in the order the trainer appended them after OHLCV.</summary>
    public IReadOnlyList<string> IndicatorColumns =>
    [
        $"SMA_{SmaShort}", $"SMA_{SmaLong}", $"RSI_{RsiLength}",
        $"MACD{MacdSuffix}", $"MACDh{MacdSuffix}", $"MACDs{MacdSuffix}",
        $"BBL_{BbLength}_{BbStdText}", $"BBM_{BbLength}_{BbStdText}", $"BBU_{BbLength}_{BbStdText}",
        $"BBB_{BbLength}_{BbStdText}", $"BBP_{BbLength}_{BbStdText}",
    ];

    /// <summary>pandas-ta's MACD name suffix: it swaps fast and slow when slow &lt; fast, in the names too.</summary>
    private string MacdSuffix => MacdSlow < MacdFast
        ? $"_{MacdSlow}_{MacdFast}_{MacdSignal}"
        : $"_{MacdFast}_{MacdSlow}_{MacdSignal}";

    /// <summary>
    /// Candles the recursive indicators need, after their first value, to forget where the series began. SMA and
    /// Bollinger are exact after their length; the EMAs of MACD (adjust=False, SMA seed) and RSI's ewm (adjust=True)
    /// weigh the start by (1 − α)^k, so a live session that warms up on k more candles reproduces the trainer's
    /// values (computed from the start of its data file) to within <paramref name="tolerance"/> relative.
    /// With the defaults (RSI 14, MACD 12/26/9) and 1e-12: 373 candles.
    /// </summary>
    public int ConvergenceCandles(double tolerance = 1e-12)
    {
        double[] alphas = [2.0 / (MacdFast + 1), 2.0 / (MacdSlow + 1), 2.0 / (MacdSignal + 1), 1.0 / RsiLength];
        var slowest = alphas.Min();
        return (int)Math.Ceiling(Math.Log(tolerance) / Math.Log(1 - slowest));
    }

    /// <summary>OHLCV then indicators: the training frame's column order.</summary>
    public IReadOnlyList<string> FrameColumns => ["open", "high", "low", "close", "volume", .. IndicatorColumns];
}

/// <summary>Python's <c>repr</c>/<c>str</c> of a float: shortest round-trip text, always with a decimal point
/// or exponent.</summary>
public static class PythonFloat
{
    public static string Format(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        var r = value.ToString("R", CultureInfo.InvariantCulture);
        // .NET: "1E-05" / "1E+16"; Python: "1e-05" / "1e+16". Exponent at least two digits.
        var e = r.IndexOf('E');
        if (e >= 0)
        {
            var mantissa = r[..e];
            var exp = int.Parse(r[(e + 1)..], CultureInfo.InvariantCulture);
            var abs = Math.Abs(exp);
            return $"{mantissa}e{(exp < 0 ? '-' : '+')}{abs:00}";
        }
        return r.Contains('.') ? r : r + ".0";
    }
}
