namespace Afml.Core.MarketData;

/// <summary>A Binance kline interval ("1m" … "1M") and its length.</summary>
public readonly record struct CandleInterval
{
    private CandleInterval(string text, TimeSpan length) { Text = text; Length = length; }

    /// <summary>As Binance and the trainer's config write it, e.g. "1h".</summary>
    public string Text { get; }
    public TimeSpan Length { get; }
    public long Milliseconds => (long)Length.TotalMilliseconds;

    public static bool TryParse(string? text, out CandleInterval interval)
    {
        interval = default;
        if (string.IsNullOrEmpty(text) || text.Length < 2) return false;
        if (text == "1M") { interval = new(text, TimeSpan.FromDays(30)); return true; } // calendar month: not a fixed grid
        if (!int.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n <= 0)
            return false;
        TimeSpan? length = text[^1] switch
        {
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            'w' => TimeSpan.FromDays(7 * n),
            _ => null,
        };
        if (length is null) return false;
        interval = new(text, length.Value);
        return true;
    }

    public static CandleInterval Parse(string text) =>
        TryParse(text, out var i) ? i : throw new FormatException($"'{text}' is not a Binance kline interval (1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h, 1d, 3d, 1w).");

    public override string ToString() => Text;
}
