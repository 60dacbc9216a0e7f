using System.Globalization;

namespace Afml.Core.MarketData;

/// <summary>
/// What a real OHLCV candle always is: every value finite, prices positive, low ≤ open, close ≤ high, volume ≥ 0.
/// A candle that is not is refused wherever it comes from (a replay file, a venue's REST page or stream event):
/// indicators and the model would turn it into garbage decisions.
/// </summary>
public static class CandleSanity
{
    /// <summary>Null for a sane candle, else what is wrong with it, values included.</summary>
    public static string? Problem(in Candle c)
    {
        if (!c.IsFinite) return $"a value is not a finite number ({Values(c)})";
        if (!(c.Open > 0 && c.High > 0 && c.Low > 0 && c.Close > 0)) return $"a price is zero or negative ({Values(c)})";
        if (c.Volume < 0) return $"the volume is negative ({Values(c)})";
        if (c.Low > c.High) return $"low is above high ({Values(c)})";
        if (c.Low > Math.Min(c.Open, c.Close)) return $"low is above open or close ({Values(c)})";
        if (c.High < Math.Max(c.Open, c.Close)) return $"high is below open or close ({Values(c)})";
        return null;
    }

    public static bool IsSane(in Candle c) => Problem(c) is null;

    private static string Values(in Candle c) => string.Create(CultureInfo.InvariantCulture,
        $"open={c.Open:R} high={c.High:R} low={c.Low:R} close={c.Close:R} volume={c.Volume:R}");
}
