namespace Afml.FakeBinance;

/// <summary>A fault that fired: on which endpoint, which rule, at which server time.</summary>
public sealed record AppliedFault(string Endpoint, Fault Fault, DateTimeOffset At);
