namespace Afml.FakeBinance.Streams;

/// <summary>The live connections of one route (market or private).</summary>
internal sealed class ConnectionSet
{
    private readonly object _gate = new();
    private readonly List<StreamConnection> _connections = [];

    public void Add(StreamConnection c) { lock (_gate) _connections.Add(c); }
    public void Remove(StreamConnection c) { lock (_gate) _connections.Remove(c); }

    public IReadOnlyList<StreamConnection> Snapshot()
    {
        lock (_gate) return _connections.Where(c => !c.IsClosed).ToArray();
    }

    public int Count => Snapshot().Count;
}
