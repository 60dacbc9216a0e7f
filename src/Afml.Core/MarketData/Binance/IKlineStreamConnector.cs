namespace Afml.Core.MarketData.Binance;

/// <summary>Opens kline connections; the WebSocket one in production, a scripted one in tests.</summary>
public interface IKlineStreamConnector
{
    Task<IKlineStream> ConnectAsync(Uri uri, CancellationToken ct);
}
