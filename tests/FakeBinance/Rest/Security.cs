namespace Afml.FakeBinance.Rest;

/// <summary>Binance's endpoint security types (doc §2.2).</summary>
internal enum Security { None, UserStream, Signed }
