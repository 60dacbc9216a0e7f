namespace Afml.Core.Exchange;

/// <summary>
/// The outcomes of the last <see cref="Capacity"/> orders by client order id: what idempotency needs and no more.
/// A client order id is fixed for one step and only ever resent by that step's retries (seconds later, a handful of
/// orders at most), so a resend is always answered from here, while a run of a million steps keeps a few hundred
/// fills instead of a million. The oldest outcome is forgotten first.
/// </summary>
public sealed class RecentOrders
{
    /// <summary>Far more than one step's retries and emergency closes can ever send.</summary>
    public const int DefaultCapacity = 256;

    private readonly Dictionary<string, OrderFill> _byId = new(StringComparer.Ordinal);
    private readonly Queue<string> _arrival = new();

    public RecentOrders(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count => _byId.Count;

    public bool TryGetValue(string clientOrderId, out OrderFill fill) => _byId.TryGetValue(clientOrderId, out fill!);

    /// <summary>Records (or replaces) an order's outcome; past <see cref="Capacity"/> the oldest is forgotten.</summary>
    public OrderFill this[string clientOrderId]
    {
        set
        {
            if (_byId.TryAdd(clientOrderId, value))
            {
                _arrival.Enqueue(clientOrderId);
                if (_arrival.Count > Capacity) _byId.Remove(_arrival.Dequeue());
            }
            else
            {
                _byId[clientOrderId] = value;
            }
        }
    }
}
