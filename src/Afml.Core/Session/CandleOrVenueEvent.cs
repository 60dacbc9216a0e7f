using System.Threading.Channels;
using Afml.Core.Exchange;
using Afml.Core.MarketData;

namespace Afml.Core.Session;

/// <summary>
/// The loop's wait between candles: the next closed candle of the feed, or, before it, a fill the venue reports that
/// the session did not send (a manual trade, a liquidation, ADL), or the drawdown monitor's breach. The venue's stream
/// and the monitor queue those events on their own threads; this only wakes the loop and hands them over one at a
/// time, so the loop, the book's only actor, records them between its awaits, as they happen, while the feed's pending
/// read stays in flight (never restarted). Events queued when a candle arrives are handed over before it. With no
/// event source (a replay without the guard) it is the feed alone.
/// </summary>
/// <param name="guard">The drawdown monitor's breaches (null: no monitor).</param>
internal sealed class CandleOrVenueEvent(IAsyncEnumerator<Candle> candles, ChannelReader<VenueEvent>? events, ChannelReader<VenueEvent>? guard = null) : IAsyncDisposable
{
    private Task<bool>? _pending;

    public Candle Current => candles.Current;

    /// <summary>True with <see cref="Current"/> set, false when the feed ended or <paramref name="onEvent"/> returned
    /// true (stop waiting: the caller ends the loop and cancels <paramref name="ct"/>); <paramref name="onEvent"/> is
    /// awaited for each event that arrives first. Cancelling <paramref name="ct"/> (the feed's own token) ends the wait
    /// as the feed does.</summary>
    public ValueTask<bool> NextAsync(Func<VenueEvent, Task<bool>> onEvent, CancellationToken ct) =>
        events is null && guard is null
            ? candles.MoveNextAsync() // the feed alone (a replay without the guard): its read is the wait, nothing to hand over
            : NextOrEventAsync(onEvent, ct);

    private async ValueTask<bool> NextOrEventAsync(Func<VenueEvent, Task<bool>> onEvent, CancellationToken ct)
    {
        if (await DrainAsync(onEvent).ConfigureAwait(false)) return false;
        var next = candles.MoveNextAsync();
        if (!next.IsCompleted)
        {
            var moved = next.AsTask();
            _pending = moved;
            while (!moved.IsCompleted)
            {
                using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var arrived = ArrivedAsync(stopWaiting.Token);
                if (await Task.WhenAny(moved, arrived).ConfigureAwait(false) == moved)
                {
                    stopWaiting.Cancel(); // the pending wait for an event ends with the candle
                    break;
                }
                if (!arrived.IsCompletedSuccessfully || !arrived.Result) break; // stopping, or the sources are gone: the feed decides
                if (await DrainAsync(onEvent).ConfigureAwait(false)) return false; // the read stays pending: DisposeAsync waits for it
            }
            _pending = null;
            next = new ValueTask<bool>(moved);
        }
        var more = await next.ConfigureAwait(false);
        if (more && await DrainAsync(onEvent).ConfigureAwait(false)) return false;
        return more;
    }

    /// <summary>True when an event can be read from either source; false when both are completed.</summary>
    private async Task<bool> ArrivedAsync(CancellationToken ct)
    {
        if (guard is null) return await events!.WaitToReadAsync(ct).ConfigureAwait(false);
        if (events is null) return await guard.WaitToReadAsync(ct).ConfigureAwait(false);
        var a = events.WaitToReadAsync(ct).AsTask();
        var b = guard.WaitToReadAsync(ct).AsTask();
        var first = await Task.WhenAny(a, b).ConfigureAwait(false);
        if (await first.ConfigureAwait(false)) return true;
        return await (first == a ? b : a).ConfigureAwait(false);
    }

    /// <summary>Hands over the queued events, the monitor's first; true when one asked to stop waiting.</summary>
    private async Task<bool> DrainAsync(Func<VenueEvent, Task<bool>> onEvent)
    {
        if (guard is not null)
            while (guard.TryRead(out var b))
                if (await onEvent(b).ConfigureAwait(false)) return true;
        if (events is not null)
            while (events.TryRead(out var e))
                if (await onEvent(e).ConfigureAwait(false)) return true;
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        // A read left pending by a stop: the caller cancelled the feed's token, so it ends (an enumerator must not be
        // disposed while a read is in flight).
        if (_pending is { } pending)
        {
            try { await pending.ConfigureAwait(false); }
            catch (Exception) { /* cancelled or failed: the loop has already ended */ }
        }
        await candles.DisposeAsync().ConfigureAwait(false);
    }
}
