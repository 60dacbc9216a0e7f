namespace Afml.FakeBinance;

/// <summary>One REST request as the fake saw it, in arrival order.</summary>
/// <param name="Endpoint">"METHOD /path".</param>
/// <param name="Query">The raw query string without '?', still URL-encoded.</param>
/// <param name="Body">The raw form body.</param>
/// <param name="ApiKeyValid">Null when the route needs no key.</param>
/// <param name="SignatureValid">Null when the route is not signed or the check never ran.</param>
/// <param name="ClientOrderId">newClientOrderId or origClientOrderId, when sent.</param>
/// <param name="Status">HTTP status answered; 0 when the connection was dropped.</param>
/// <param name="ErrorCode">Binance error code answered, when any.</param>
/// <param name="Fault">The fault applied to this request, when any.</param>
public sealed record RecordedRequest(
    DateTimeOffset ServerTime,
    string Endpoint,
    string Query,
    string Body,
    bool? ApiKeyValid,
    bool? SignatureValid,
    string? ClientOrderId,
    int Status,
    int? ErrorCode,
    FaultKind? Fault);
