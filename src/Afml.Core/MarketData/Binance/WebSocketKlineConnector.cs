using System.Net.WebSockets;

namespace Afml.Core.MarketData.Binance;

/// <summary>Kline connections over <see cref="ClientWebSocket"/>.</summary>
public sealed class WebSocketKlineConnector(TimeProvider time, TimeSpan connectTimeout) : IKlineStreamConnector
{
    public async Task<IKlineStream> ConnectAsync(Uri uri, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        try
        {
            using var timeout = new CancellationTokenSource(connectTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            await socket.ConnectAsync(uri, linked.Token).ConfigureAwait(false);
            return new WebSocketKlineStream(socket, time);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"no WebSocket handshake from {uri.GetLeftPart(UriPartial.Authority)} within {connectTimeout.TotalSeconds:0.#} s (connect timeout)", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
