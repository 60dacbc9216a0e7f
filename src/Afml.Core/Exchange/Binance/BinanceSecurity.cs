namespace Afml.Core.Exchange.Binance;

/// <summary>Binance's endpoint security types, as far as the client must act on them.</summary>
public enum BinanceSecurity
{
    /// <summary>Public: no key, no signature (time, exchangeInfo, klines).</summary>
    None,
    /// <summary>X-MBX-APIKEY only (listenKey).</summary>
    ApiKey,
    /// <summary>X-MBX-APIKEY + timestamp + recvWindow + signature (TRADE / USER_DATA).</summary>
    Signed,
}
