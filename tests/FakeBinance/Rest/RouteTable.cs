namespace Afml.FakeBinance.Rest;

/// <summary>REST routes keyed "METHOD /path", exactly as Binance spells them.</summary>
internal sealed class RouteTable
{
    private readonly Dictionary<string, Route> _routes = new(StringComparer.Ordinal);

    public void Add(string endpoint, Security security, int weight, Func<RestCall, Task<RestResponse>> handle) =>
        _routes.Add(endpoint, new Route(security, _ => weight, handle));

    public void Add(string endpoint, Security security, Func<RequestParameters, int> weight, Func<RestCall, Task<RestResponse>> handle) =>
        _routes.Add(endpoint, new Route(security, weight, handle));

    public Route? Find(string endpoint) => _routes.GetValueOrDefault(endpoint);

    public IEnumerable<string> Endpoints => _routes.Keys;
}
