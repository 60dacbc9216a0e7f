using System.Text.Json;
using System.Text.Json.Nodes;

namespace Afml.FakeBinance.Streams;

/// <summary>Pushes account events to the connections opened with the active listenKey, honouring &amp;events=
/// filters, and announces listenKeyExpired.</summary>
internal sealed class UserStreamHub
{
    public ConnectionSet Connections { get; } = new();

    public void Publish(string listenKey, string eventJson)
    {
        var type = EventType(eventJson);
        foreach (var c in Connections.Snapshot())
        {
            if (c.ListenKey != listenKey) continue;
            if (c.EventFilter is { } filter && type is not null && type != "listenKeyExpired" && !filter.Contains(type)) continue;
            c.Send(c.Combined ? "{\"stream\":" + JsonSerializer.Serialize(listenKey) + ",\"data\":" + eventJson + "}" : eventJson);
        }
    }

    public void AnnounceExpired(string listenKey, long now) =>
        Publish(listenKey, new JsonObject { ["e"] = "listenKeyExpired", ["E"] = now, ["listenKey"] = listenKey }.ToJsonString());

    public async Task CloseAsync(string listenKey, string reason)
    {
        foreach (var c in Connections.Snapshot().Where(c => c.ListenKey == listenKey))
            await c.CloseAsync(reason);
    }

    public void AbortAll()
    {
        foreach (var c in Connections.Snapshot()) c.Abort();
    }

    private static string? EventType(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.TryGetProperty("e", out var e) ? e.GetString() : null;
    }
}
