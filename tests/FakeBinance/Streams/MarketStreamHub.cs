namespace Afml.FakeBinance.Streams;

/// <summary>Fans kline events out to market connections subscribed to the stream, wrapping them as
/// {"stream","data"} on combined connections.</summary>
internal sealed class MarketStreamHub
{
    public ConnectionSet Connections { get; } = new();

    public int Publish(string stream, string eventJson)
    {
        var sent = 0;
        foreach (var c in Connections.Snapshot())
        {
            if (!c.CarriesKlines || !c.IsSubscribed(stream)) continue;
            c.Send(c.Combined ? "{\"stream\":" + System.Text.Json.JsonSerializer.Serialize(stream) + ",\"data\":" + eventJson + "}" : eventJson);
            sent++;
        }
        return sent;
    }

    public void AbortAll()
    {
        foreach (var c in Connections.Snapshot()) c.Abort();
    }
}
