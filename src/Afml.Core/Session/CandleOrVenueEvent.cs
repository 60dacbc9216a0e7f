using System.Threading.Channels;
using Afml.Core.Exchange;
using Afml.Core.MarketData;

namespace Afml.Core.Session;

/// <summary>
/// The loop's wait between candles: the next closed candle of the feed, or, before it, a fill the venue reports that
/// the session did not send (a manual trade, a liquidation, ADL). The venue's stream queues those events on its own
/// threads; this only wakes the loop and hands them over one at a time, so the loop, the book's only actor, records
/// them between its awaits, as they happen, while the feed's pending read stays in flight (never restarted). Events
/// queued when a candle arrives are handed over before it. With no event source (replay, paper) it is the feed alone.
/// </summary>
internal sealed class CandleOrVenueEvent(IAsyncEnumerator<Candle> candles, ChannelReader<VenueEvent>? events) : IAsyncDisposable
{
    public Candle Current => candles.Current;

    /// <summary>True with <see cref="Current"/> set, false when the feed ended; <paramref name="onEvent"/> is awaited
    /// for each venue event that arrives first. Cancelling <paramref name="ct"/> (the feed's own token) ends the wait
    /// as the feed does.</summary>
    public async ValueTask<bool> NextAsync(Func<VenueEvent, Task> onEvent, CancellationToken ct)
    {
        var next = candles.MoveNextAsync();
        if (events is null) return await next.ConfigureAwait(false);
        if (!next.IsCompleted)
        {
            var moved = next.AsTask();
            while (!moved.IsCompleted)
            {
                using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var arrived = events.WaitToReadAsync(stopWaiting.Token).AsTask();
                if (await Task.WhenAny(moved, arrived).ConfigureAwait(false) == moved)
                {
                    stopWaiting.Cancel(); // the pending wait for an event ends with the candle
                    break;
                }
                if (!arrived.IsCompletedSuccessfully || !arrived.Result) break; // stopping, or the venue's stream is gone: the feed decides
                await DrainAsync(onEvent).ConfigureAwait(false);
            }
            next = new ValueTask<bool>(moved);
        }
        var more = await next.ConfigureAwait(false);
        if (more) await DrainAsync(onEvent).ConfigureAwait(false);
        return more;
    }

    private async Task DrainAsync(Func<VenueEvent, Task> onEvent)
    {
        while (events!.TryRead(out var e)) await onEvent(e).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => candles.DisposeAsync();
}
