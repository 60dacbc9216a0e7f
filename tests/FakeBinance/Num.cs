using System.Globalization;

namespace Afml.FakeBinance;

/// <summary>Binance prints decimals as JSON strings, invariant culture, fixed places, no exponent.</summary>
internal static class Num
{
    public static string Fixed(decimal value, int places) =>
        Math.Round(value, places, MidpointRounding.AwayFromZero).ToString("F" + places.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Plain(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Plain(double value) => ((decimal)value).ToString(CultureInfo.InvariantCulture);

    public static int Decimals(decimal value) => (decimal.GetBits(value)[3] >> 16) & 0xFF;

    /// <summary>Decimals that actually matter (trailing zeros of "0.0100" do not).</summary>
    public static int SignificantDecimals(decimal value)
    {
        var normalized = value / 1.000000000000000000000000000000000m;
        return Decimals(normalized);
    }

    public static bool IsMultiple(decimal value, decimal step) => step == 0m || value % step == 0m;
}
