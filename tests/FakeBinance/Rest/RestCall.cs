namespace Afml.FakeBinance.Rest;

/// <summary>What a route handler gets: the merged parameters, the server time and the fault (if any) applied.</summary>
internal sealed record RestCall(RequestParameters Parameters, long Now, Fault? Fault);
