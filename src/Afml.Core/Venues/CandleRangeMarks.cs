using System.Runtime.CompilerServices;
using Afml.Core.Exchange;
using Afml.Core.MarketData;

namespace Afml.Core.Venues;

/// <summary>
/// Replay with <c>-GuardIntraCandle</c>: the replayed feed, and as its mark-price source each candle's low and high,
/// swept from its open, handed to the monitor before the candle itself is (so a breach inside the candle is acted on
/// before its close, at the stop price, as a protective stop would have). Prices are float32, as the env's frame is.
/// Without the switch a replay has no mark source at all and makes exactly the training's decisions.
/// </summary>
public sealed class CandleRangeMarks(IMarketFeed inner, string symbol, long intervalMs) : IMarketFeed, IMarkPriceSource
{
    private Action<MarkPrice>? _onMark;

    public Task<IReadOnlyList<Candle>> LoadHistoryAsync(CancellationToken ct) => inner.LoadHistoryAsync(ct);

    public async IAsyncEnumerable<Candle> StreamClosedCandlesAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var c in inner.StreamClosedCandlesAsync(ct).ConfigureAwait(false))
        {
            if (Volatile.Read(ref _onMark) is { } onMark)
            {
                // Inside the candle, before its close: the time is its close time (the replay knows no finer clock).
                var at = DateTimeOffset.FromUnixTimeMilliseconds(c.OpenTime + intervalMs);
                onMark(new MarkPrice(symbol, (float)c.Low, at, SweptFrom: (float)c.Open));
                onMark(new MarkPrice(symbol, (float)c.High, at, SweptFrom: (float)c.Open));
            }
            yield return c;
        }
    }

    /// <summary>Registers <paramref name="onMark"/> at once (before the first candle is read) until cancelled.</summary>
    public async Task RunAsync(Action<MarkPrice> onMark, CancellationToken ct)
    {
        Volatile.Write(ref _onMark, onMark);
        try { await Task.Delay(Timeout.InfiniteTimeSpan, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        finally { Volatile.Write(ref _onMark, null); }
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
