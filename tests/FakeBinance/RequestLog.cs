using System.Collections.Concurrent;

namespace Afml.FakeBinance;

/// <summary>Every REST request the fake received, in arrival order.</summary>
public sealed class RequestLog
{
    private readonly ConcurrentQueue<RecordedRequest> _entries = new();

    internal void Add(RecordedRequest entry) => _entries.Enqueue(entry);

    public IReadOnlyList<RecordedRequest> Entries => _entries.ToArray();

    public IReadOnlyList<RecordedRequest> For(string endpoint) =>
        _entries.Where(e => string.Equals(e.Endpoint, endpoint, StringComparison.Ordinal)).ToArray();

    public int Count => _entries.Count;
}
