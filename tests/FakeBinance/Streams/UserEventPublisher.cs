namespace Afml.FakeBinance.Streams;

/// <summary>Delivers the book's events to the active listenKey's connections, with the user-stream faults
/// (duplicates, reversed order) applied to one batch at a time. Nothing is delivered without a valid key.</summary>
internal sealed class UserEventPublisher(UserStreamHub hub, ListenKeys keys, FaultScript faults, ServerClock clock)
{
    public void Publish(IReadOnlyList<string> events)
    {
        var key = keys.Active(clock.NowMs);
        if (key is null) return;
        var fault = faults.Take(FaultEndpoints.UserStream, k => k is FaultKind.StreamDuplicate or FaultKind.StreamOutOfOrder, clock.Now);
        IEnumerable<string> batch = fault?.Kind == FaultKind.StreamOutOfOrder ? events.Reverse() : events;
        foreach (var e in batch)
        {
            hub.Publish(key, e);
            if (fault?.Kind == FaultKind.StreamDuplicate) hub.Publish(key, e);
        }
    }
}
