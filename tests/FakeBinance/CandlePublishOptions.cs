namespace Afml.FakeBinance;

/// <summary>How one candle is streamed: <see cref="Updates"/> in-progress (x=false) events, then the final one,
/// with <see cref="Spacing"/> of real time before each.</summary>
public sealed record CandlePublishOptions
{
    public int? Updates { get; init; }
    public TimeSpan Spacing { get; init; } = TimeSpan.Zero;
}
