using System.Runtime.CompilerServices;

namespace Afml.Core.MarketData;

/// <summary>
/// A recorded series played back: candles before <c>firstDecision</c> are the warm-up history, the rest are
/// streamed one by one as if each had just closed.
/// </summary>
public sealed class ReplayFeed : IMarketFeed
{
    private readonly IReadOnlyList<Candle> _candles;
    private readonly int _firstDecision;
    private readonly int _endExclusive;

    /// <param name="candles">The whole gap-filled series.</param>
    /// <param name="firstDecision">Index of the first candle to decide on.</param>
    /// <param name="endExclusive">Index after the last candle to stream.</param>
    public ReplayFeed(IReadOnlyList<Candle> candles, int firstDecision, int endExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstDecision);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(endExclusive, candles.Count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstDecision, endExclusive);
        _candles = candles;
        _firstDecision = firstDecision;
        _endExclusive = endExclusive;
    }

    public int DecisionCount => _endExclusive - _firstDecision;

    public Task<IReadOnlyList<Candle>> LoadHistoryAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Candle>>(_candles.Take(_firstDecision).ToArray());

    public async IAsyncEnumerable<Candle> StreamClosedCandlesAsync([EnumeratorCancellation] CancellationToken ct)
    {
        for (var i = _firstDecision; i < _endExclusive; i++)
        {
            ct.ThrowIfCancellationRequested();
            yield return _candles[i];
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
