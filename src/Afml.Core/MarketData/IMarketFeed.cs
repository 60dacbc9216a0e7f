namespace Afml.Core.MarketData;

/// <summary>
/// Where candles come from: a CSV replay, or a venue's REST history plus its live stream.
/// The session first warms its features up on <see cref="LoadHistoryAsync"/>, then makes one decision per
/// candle of <see cref="StreamClosedCandlesAsync"/>. Every candle yielded is closed, in open-time order,
/// never repeated.
/// </summary>
public interface IMarketFeed : IAsyncDisposable
{
    /// <summary>Closed candles for the indicator warm-up, oldest first.</summary>
    Task<IReadOnlyList<Candle>> LoadHistoryAsync(CancellationToken ct);

    /// <summary>Each newly closed candle after the history, oldest first; ends when the source ends
    /// (replay) or when <paramref name="ct"/> is cancelled (live).</summary>
    IAsyncEnumerable<Candle> StreamClosedCandlesAsync(CancellationToken ct);
}
