namespace Afml.Core.MarketData;

/// <summary>One OHLCV candle. <see cref="OpenTime"/> is the candle open time in epoch milliseconds UTC,
/// the identity the trainer's frames use (its DatetimeIndex is the open time).</summary>
public readonly record struct Candle(long OpenTime, double Open, double High, double Low, double Close, double Volume)
{
    public DateTimeOffset OpenTimeUtc => DateTimeOffset.FromUnixTimeMilliseconds(OpenTime);

    /// <summary>True when every price and the volume are finite numbers.</summary>
    public bool IsFinite =>
        double.IsFinite(Open) && double.IsFinite(High) && double.IsFinite(Low) && double.IsFinite(Close) && double.IsFinite(Volume);
}
