namespace Afml.Core.MarketData;

/// <summary>A Binance kline interval ("1m" … "1M") and its length.</summary>
public readonly record struct CandleInterval
{
    private CandleInterval(string text, TimeSpan length) { Text = text; Length = length; }

    /// <summary>As Binance and the trainer's config write it, e.g. "1h".</summary>
    public string Text { get; }
    public TimeSpan Length { get; }
    public long Milliseconds => (long)Length.TotalMilliseconds;

    /// <summary>The intervals Binance USDT-M Futures serves klines for; nothing else is a valid training interval.</summary>
    public static IReadOnlyList<string> BinanceIntervals { get; } =
        ["1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M"];

    public static bool TryParse(string? text, out CandleInterval interval)
    {
        interval = default;
        if (string.IsNullOrEmpty(text) || !BinanceIntervals.Contains(text, StringComparer.Ordinal)) return false;
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
        TryParse(text, out var i) ? i : throw new FormatException($"'{text}' is not a Binance kline interval ({string.Join(", ", BinanceIntervals)}).");

    /// <summary>A length as the interval text when it is one (3600000 → "1h"), else as a time span ("7h", "90s", "2d5h").</summary>
    public static string Describe(long milliseconds)
    {
        foreach (var t in BinanceIntervals)
            if (t != "1M" && TryParse(t, out var i) && i.Milliseconds == milliseconds) return t;
        var span = TimeSpan.FromMilliseconds(milliseconds);
        if (milliseconds % 3_600_000 == 0) return $"{(long)span.TotalHours}h";
        if (milliseconds % 60_000 == 0) return $"{(long)span.TotalMinutes}m";
        if (milliseconds % 1_000 == 0) return $"{(long)span.TotalSeconds}s";
        return $"{milliseconds}ms";
    }

    public override string ToString() => Text;
}
