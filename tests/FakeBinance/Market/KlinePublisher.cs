using Afml.FakeBinance.Streams;

namespace Afml.FakeBinance.Market;

/// <summary>Streams the next candle of the path: a few x=false updates, then the final x=true event, applying
/// any kline-stream faults scripted for it. The market's price follows each update.</summary>
internal sealed class KlinePublisher(FakeMarket market, KlineJson json, MarketStreamHub hub, FaultScript faults, ServerClock clock, int defaultUpdates)
{
    private readonly SemaphoreSlim _one = new(1, 1);

    public async Task<bool> PublishNextAsync(CandlePublishOptions options, CancellationToken ct)
    {
        await _one.WaitAsync(ct);
        try
        {
            if (market.PeekNext() is not { } next) return false;
            var drop = Take(FaultKind.StreamDropMidCandle);
            var late = Take(FaultKind.StreamLateFinal);
            var duplicate = Take(FaultKind.StreamDuplicate);
            var outOfOrder = Take(FaultKind.StreamOutOfOrder);
            var updates = Math.Clamp(options.Updates ?? defaultUpdates, 0, 100);
            string? lastUpdate = null;
            for (var k = 1; k <= updates; k++)
            {
                await PauseAsync(options.Spacing, ct);
                var partial = KlineJson.Partial(next, (double)k / (updates + 1));
                market.SetInProgress(partial);
                lastUpdate = json.Event(partial, closed: false, clock.NowMs);
                Send(lastUpdate, duplicate is not null);
                if (k == 1 && drop is not null)
                    foreach (var c in hub.Connections.Snapshot()) c.AbortAfterPending();
            }
            if (updates == 0 && drop is not null) hub.AbortAll();
            await PauseAsync(options.Spacing, ct);
            if (late is not null) await Task.Delay(late.Delay, ct);
            market.CloseNext();
            Send(json.Event(next, closed: true, clock.NowMs), duplicate is not null);
            if (outOfOrder is not null && lastUpdate is not null) Send(lastUpdate, twice: false);
            return true;
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>Closes the next candle without streaming it.</summary>
    public bool AdvanceSilently() => market.CloseNext();

    private void Send(string eventJson, bool twice)
    {
        hub.Publish(json.StreamName, eventJson);
        if (twice) hub.Publish(json.StreamName, eventJson);
    }

    private Fault? Take(FaultKind kind) => faults.Take(FaultEndpoints.KlineStream, k => k == kind, clock.Now);

    private static Task PauseAsync(TimeSpan spacing, CancellationToken ct) =>
        spacing > TimeSpan.Zero ? Task.Delay(spacing, ct) : Task.CompletedTask;
}
