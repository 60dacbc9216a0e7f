using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Afml.Core.MarketData.Binance;

/// <summary>
/// A kline connection whose receive loop runs all the time, apart from the reader: the managed WebSocket answers
/// the server's pings (copying their payload, as Binance requires) only while a receive is pending, and cancelling
/// a receive would abort the socket. Frames are parsed here; only kline events reach the channel.
/// </summary>
public sealed class WebSocketKlineStream : IKlineStream
{
    private const int MaxMessageBytes = 1 << 20;
    private readonly WebSocket _socket;
    private readonly TimeProvider _time;
    // Final events (one per interval) are always kept; in-progress updates (every 250 ms) only while the reader
    // keeps up, so a busy reader never loses a close and the backlog stays small.
    private const int MaxFormingBacklog = 64;
    // Not SingleReader: the single-reader unbounded channel cannot count its items, and the backlog rule needs Count.
    private readonly Channel<KlineEvent> _events = Channel.CreateUnbounded<KlineEvent>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;

    public WebSocketKlineStream(WebSocket socket, TimeProvider time)
    {
        _socket = socket;
        _time = time;
        _pump = Task.Run(PumpAsync);
    }

    public string? EndReason { get; private set; }

    public async ValueTask<KlineEvent?> ReceiveAsync(CancellationToken ct)
    {
        try
        {
            if (await _events.Reader.WaitToReadAsync(ct).ConfigureAwait(false) && _events.Reader.TryRead(out var e)) return e;
            return null;
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    private async Task PumpAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var r = await _socket.ReceiveAsync(buffer.AsMemory(), _stop.Token).ConfigureAwait(false);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    EndReason = $"closed by the server ({_socket.CloseStatus} {_socket.CloseStatusDescription})";
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", _stop.Token).ConfigureAwait(false); // complete the handshake
                    break;
                }
                message.Write(buffer, 0, r.Count);
                if (message.Length > MaxMessageBytes) { EndReason = "a message exceeded 1 MiB"; break; }
                if (!r.EndOfMessage) continue;
                if (r.MessageType == WebSocketMessageType.Text)
                {
                    KlineEvent? e = null;
                    try { e = KlineParser.ParseEvent(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length)); }
                    catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException) { }
                    if (e is { } ev && (ev.IsClosed || _events.Reader.Count < MaxFormingBacklog)) _events.Writer.TryWrite(ev);
                }
                message.SetLength(0);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            EndReason ??= "closed by the client";
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            EndReason = ex.Message;
        }
        catch (Exception ex)
        {
            // Never end silently: whatever stopped the pump is the reason the feed logs before reconnecting.
            EndReason = $"{ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _events.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", grace.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException) { }
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Abort();
        try { await _pump.ConfigureAwait(false); } catch (Exception) { /* the pump records its own end */ }
        _socket.Dispose();
        _stop.Dispose();
    }
}
