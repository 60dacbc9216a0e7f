namespace Afml.FakeBinance;

/// <summary>A queue of one-shot or N-times fault rules, matched by endpoint in the order they were added.
/// Every fault applied is recorded in <see cref="Applied"/> so tests can assert it actually fired.</summary>
public sealed class FaultScript
{
    private const int MaxTimes = 1000;
    private readonly object _gate = new();
    private readonly List<Rule> _rules = [];
    private readonly List<AppliedFault> _applied = [];

    /// <param name="endpoint">"POST /fapi/v1/order", "GET /fapi/v1/klines", "*" (any REST call),
    /// <see cref="FaultEndpoints.KlineStream"/> or <see cref="FaultEndpoints.UserStream"/>.</param>
    /// <param name="times">How many matching calls the fault hits (1..1000).</param>
    public void OnNext(string endpoint, Fault fault, int times = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoint);
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(times, MaxTimes);
        lock (_gate) _rules.Add(new Rule(Normalize(endpoint), fault, times));
    }

    public void Clear()
    {
        lock (_gate) _rules.Clear();
    }

    /// <summary>Rules still waiting to fire, with their remaining counts.</summary>
    public IReadOnlyList<(string Endpoint, Fault Fault, int Remaining)> Pending
    {
        get { lock (_gate) return _rules.Select(r => (r.Endpoint, r.Fault, r.Remaining)).ToArray(); }
    }

    public IReadOnlyList<AppliedFault> Applied
    {
        get { lock (_gate) return _applied.ToArray(); }
    }

    /// <summary>Takes one use of the first rule for this endpoint whose kind is accepted.</summary>
    internal Fault? Take(string endpoint, Func<FaultKind, bool> accepts, DateTimeOffset now)
    {
        var key = Normalize(endpoint);
        lock (_gate)
        {
            for (var i = 0; i < _rules.Count; i++)
            {
                var rule = _rules[i];
                var matches = rule.Endpoint == key || (rule.Endpoint == FaultEndpoints.AnyRest && !key.StartsWith("WS ", StringComparison.Ordinal));
                if (!matches || !accepts(rule.Fault.Kind)) continue;
                rule.Remaining--;
                if (rule.Remaining == 0) _rules.RemoveAt(i);
                _applied.Add(new AppliedFault(key, rule.Fault, now));
                return rule.Fault;
            }
        }
        return null;
    }

    private static string Normalize(string endpoint)
    {
        var trimmed = endpoint.Trim();
        var space = trimmed.IndexOf(' ');
        return space < 0 ? trimmed : trimmed[..space].ToUpperInvariant() + " " + trimmed[(space + 1)..].Trim();
    }

    private sealed class Rule(string endpoint, Fault fault, int times)
    {
        public string Endpoint { get; } = endpoint;
        public Fault Fault { get; } = fault;
        public int Remaining { get; set; } = times;
    }
}
