using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace Afml.FakeBinance.Streams;

/// <summary>One accepted WebSocket: a single writer drains an outbox (frames never interleave), a reader answers
/// JSON control messages and enforces the incoming-message rate limit.</summary>
internal sealed class StreamConnection
{
    private readonly WebSocket _socket;
    private readonly Channel<string> _outbox = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly HashSet<string> _streams = new(StringComparer.Ordinal);
    private readonly int _maxPerSecond;
    private long _windowStart = Environment.TickCount64;
    private int _inWindow;

    public StreamConnection(WebSocket socket, bool combined, IEnumerable<string> streams, int maxMessagesPerSecond)
    {
        _socket = socket;
        Combined = combined;
        foreach (var s in streams) _streams.Add(s);
        _maxPerSecond = maxMessagesPerSecond;
        ConnectedAt = DateTimeOffset.UtcNow;
    }

    public DateTimeOffset ConnectedAt { get; }
    public bool Combined { get; set; }
    public string? ListenKey { get; init; }
    /// <summary>User stream: the event types asked for with &amp;events=…; null means all.</summary>
    public IReadOnlySet<string>? EventFilter { get; init; }
    /// <summary>Legacy or /public route: connected, but klines are not routed here any more.</summary>
    public bool CarriesKlines { get; init; } = true;
    public bool IsClosed => _stop.IsCancellationRequested;

    public IReadOnlyList<string> Streams { get { lock (_gate) return _streams.ToArray(); } }

    public bool IsSubscribed(string stream) { lock (_gate) return _streams.Contains(stream); }
    public void Subscribe(IEnumerable<string> streams) { lock (_gate) foreach (var s in streams) _streams.Add(s); }
    public void Unsubscribe(IEnumerable<string> streams) { lock (_gate) foreach (var s in streams) _streams.Remove(s); }

    public void Send(string text) => _outbox.Writer.TryWrite(text);

    /// <summary>Drops the connection once every frame queued before this call has gone out.</summary>
    public void AbortAfterPending()
    {
        if (!_outbox.Writer.TryWrite(AbortMarker)) Abort();
    }

    // Compared by reference: no real frame can be this exact string instance.
    private static readonly string AbortMarker = new('\u0000', 1);
    private static readonly TimeSpan DropGrace = TimeSpan.FromMilliseconds(100);
    private static readonly string CloseMarker = new('\u0001', 1);
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);
    private string _closeReason = "";

    /// <summary>Drops the TCP connection without a close handshake (what a network failure looks like).</summary>
    public void Abort()
    {
        _stop.Cancel();
        _socket.Abort();
    }

    /// <summary>Closes politely (close frame, then the client's answer), as Binance does at the 24 h mark or after
    /// a listenKey is deleted. The send loop does it so it never overlaps a frame being sent.</summary>
    public Task CloseAsync(string reason)
    {
        _closeReason = reason;
        if (!_outbox.Writer.TryWrite(CloseMarker)) Abort();
        return Task.CompletedTask;
    }

    /// <param name="onText">Answers a client text frame; null sends nothing back.</param>
    public async Task RunAsync(Func<StreamConnection, string, string?> onText, CancellationToken serverStopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(serverStopping, _stop.Token);
        var sending = SendLoopAsync(linked.Token);
        var receiving = ReceiveLoopAsync(onText, linked.Token);
        var first = await Task.WhenAny(sending, receiving);
        // After our close frame the client still owes its own: give the reader a moment to take it.
        if (first == sending && sending.IsCompletedSuccessfully && _socket.State == WebSocketState.CloseSent)
            await Task.WhenAny(receiving, Task.Delay(CloseHandshakeTimeout, CancellationToken.None));
        _stop.Cancel();
        _outbox.Writer.TryComplete();
        try { await Task.WhenAll(sending, receiving); }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            // Connection ended (dropped by us, by the client or by shutdown): the reason does not matter here.
        }
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived) _socket.Abort();
    }

    private async Task SendLoopAsync(CancellationToken ct)
    {
        await foreach (var text in _outbox.Reader.ReadAllAsync(ct))
        {
            if (ReferenceEquals(text, AbortMarker))
            {
                // A reset right behind the last frame makes the client's kernel discard it unread; a short grace
                // lets the frames before the drop arrive, as they would on a real mid-stream failure.
                await Task.Delay(DropGrace, ct);
                Abort();
                break;
            }
            if (_socket.State != WebSocketState.Open) break;
            if (ReferenceEquals(text, CloseMarker))
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, _closeReason, ct);
                break;
            }
            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);
        }
    }

    private async Task ReceiveLoopAsync(Func<StreamConnection, string, string?> onText, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (!ct.IsCancellationRequested)
        {
            var result = await _socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (_socket.State == WebSocketState.CloseReceived)
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", ct);
                return;
            }
            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage) continue;
            var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            message.SetLength(0);
            if (TooFast())
            {
                Abort();
                return;
            }
            if (result.MessageType == WebSocketMessageType.Text && onText(this, text) is { } reply) Send(reply);
        }
    }

    private bool TooFast()
    {
        var now = Environment.TickCount64;
        if (now - _windowStart >= 1000)
        {
            _windowStart = now;
            _inWindow = 0;
        }
        return ++_inWindow > _maxPerSecond;
    }
}
