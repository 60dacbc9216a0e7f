namespace Afml.FakeBinance.Rest;

/// <param name="Weight">REQUEST_WEIGHT of the call (may depend on its parameters).</param>
internal sealed record Route(Security Security, Func<RequestParameters, int> Weight, Func<RestCall, Task<RestResponse>> Handle);
