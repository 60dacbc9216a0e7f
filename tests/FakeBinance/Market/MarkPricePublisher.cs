using System.Text.Json.Nodes;
using Afml.FakeBinance.Streams;

namespace Afml.FakeBinance.Market;

/// <summary>
/// The <c>&lt;symbol&gt;@markPrice@1s</c> and <c>&lt;symbol&gt;@markPrice</c> (3 s) market streams: Binance's
/// <c>markPriceUpdate</c> event (e, E, s, p, i, P, r, T) with the mark = index = the market's current price (the
/// in-progress close), stamped with the server clock. <see cref="Tick"/> is one second of the venue's cadence: every
/// tick feeds the 1 s stream, every third the 3 s one. Faults on <see cref="FaultEndpoints.MarkPriceStream"/> swallow an
/// update (<see cref="FaultKind.StreamSilent"/>) or drop the connections carrying it (<see cref="FaultKind.StreamDrop"/>).
/// </summary>
internal sealed class MarkPricePublisher(string symbol, FakeMarket market, MarketStreamHub hub, FaultScript faults, ServerClock clock, int pricePrecision)
{
    private long _ticks;
    private int _sent;

    public string FastStream { get; } = symbol.ToLowerInvariant() + "@markPrice@1s";
    public string SlowStream { get; } = symbol.ToLowerInvariant() + "@markPrice";

    /// <summary>Mark updates actually sent (each counted once, whatever the number of connections).</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>One second of the venue's cadence.</summary>
    public long Tick() => Publish(slowToo: Interlocked.Increment(ref _ticks) % 3 == 0);

    /// <summary>Sends the current mark now (a price change the test wants seen at once); returns its event time (ms on
    /// the server clock), or -1 when a fault swallowed or dropped it.</summary>
    public long Publish(bool slowToo = true)
    {
        var now = clock.NowMs;
        if (faults.Take(FaultEndpoints.MarkPriceStream, k => k == FaultKind.StreamSilent, clock.Now) is not null) return -1;
        if (faults.Take(FaultEndpoints.MarkPriceStream, k => k == FaultKind.StreamDrop, clock.Now) is not null)
        {
            foreach (var c in hub.Connections.Snapshot())
                if (c.IsSubscribed(FastStream) || c.IsSubscribed(SlowStream)) c.Abort();
            return -1;
        }
        var json = Event(market.CurrentPrice, now);
        hub.Publish(FastStream, json);
        if (slowToo) hub.Publish(SlowStream, json);
        Interlocked.Increment(ref _sent);
        return now;
    }

    private string Event(decimal price, long now)
    {
        var p = Num.Fixed(price, pricePrecision);
        return new JsonObject
        {
            ["e"] = "markPriceUpdate",
            ["E"] = now,
            ["s"] = symbol,
            ["p"] = p,
            ["i"] = p,
            ["P"] = p,
            ["r"] = "0.00010000",
            ["T"] = (now / 28_800_000 + 1) * 28_800_000,
        }.ToJsonString();
    }
}
