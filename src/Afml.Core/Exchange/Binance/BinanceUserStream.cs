using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Afml.Core.Exchange.Binance;

/// <summary>
/// The user-data stream: a listenKey (POST /fapi/v1/listenKey), a WebSocket at <c>{private}/ws/&lt;key&gt;</c>, a
/// keepalive (PUT) every <see cref="BinanceOptions.ListenKeyKeepAlive"/> (the key lives 60 min), a new key and a new
/// connection after <c>listenKeyExpired</c> or a -1125 keepalive, and reconnection with back-off after any drop. Every
/// event goes to <paramref name="onEvent"/>; connection changes to <paramref name="onConnected"/> and
/// <paramref name="onDisconnected"/> (after a reconnect the caller must read REST again: events sent meanwhile are lost).
/// Its own REST calls after the start (a new key on reconnect, the keepalive) take background <paramref name="turns"/>:
/// they yield to the session's calls.
/// </summary>
public sealed class BinanceUserStream(
    BinanceRestClient rest,
    TimeProvider time,
    Action<JsonElement> onEvent,
    Action onConnected,
    Action onDisconnected,
    Action<string>? log = null,
    BinanceRestTurns? turns = null) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;
    private string? _listenKey;
    private volatile ClientWebSocket? _socket;

    /// <summary>Keys created so far (1 + every re-creation), for diagnostics and tests.</summary>
    public int KeysCreated { get; private set; }
    public int Connections { get; private set; }
    public int KeepAlives { get; private set; }

    /// <summary>Creates the key and connects once (false when either fails: the exchange then works over REST and this
    /// keeps trying in the background).</summary>
    public async Task<bool> StartAsync(CancellationToken ct)
    {
        var connected = await ConnectAsync(background: false, ct).ConfigureAwait(false);
        _run = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        _ = Task.Run(() => KeepAliveLoopAsync(_stop.Token), CancellationToken.None);
        return connected;
    }

    private async Task<bool> ConnectAsync(bool background, CancellationToken ct)
    {
        if (_listenKey is null)
        {
            var key = await SendAsync(background, HttpMethod.Post, new BinanceQuery(), ct).ConfigureAwait(false);
            if (!key.Success)
            {
                log?.Invoke($"Stream de usuario: no se pudo crear el listenKey ({key.Error}); cuenta y posición se leen por REST.");
                return false;
            }
            using var doc = JsonDocument.Parse(key.Data!.Body);
            _listenKey = doc.RootElement.GetProperty("listenKey").GetString();
            KeysCreated++;
        }
        var socket = new ClientWebSocket();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(rest.Options.RequestTimeout);
            await socket.ConnectAsync(new Uri(rest.Environment.UserStreams.ToString().TrimEnd('/') + "/ws/" + _listenKey), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or HttpRequestException && !ct.IsCancellationRequested)
        {
            socket.Dispose();
            log?.Invoke($"Stream de usuario: conexión fallida ({ex.Message}).");
            return false;
        }
        _socket = socket;
        Connections++;
        onConnected();
        return true;
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!ct.IsCancellationRequested)
        {
            if (_socket is { State: WebSocketState.Open } socket)
            {
                var expired = await ReceiveUntilClosedAsync(socket, ct).ConfigureAwait(false);
                onDisconnected();
                _socket = null;
                socket.Dispose();
                if (ct.IsCancellationRequested) return;
                if (expired) _listenKey = null;
                log?.Invoke(expired ? "Stream de usuario: listenKey expirado; se crea otro y se reconecta." : "Stream de usuario desconectado; reconectando (cuenta y posición por REST mientras tanto).");
                delay = TimeSpan.FromMilliseconds(200);
            }
            try { await Task.Delay(delay, time, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            if (!await ConnectAsync(background: true, ct).ConfigureAwait(false)) delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }

    /// <summary>True when the stream ended because the key expired.</summary>
    private async Task<bool> ReceiveUntilClosedAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        var message = new MemoryStream();
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var r = await socket.ReceiveAsync(buffer.AsMemory(), ct).ConfigureAwait(false);
                if (r.MessageType == WebSocketMessageType.Close) return false;
                message.Write(buffer, 0, r.Count);
                if (!r.EndOfMessage) continue;
                var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                message.SetLength(0);
                if (Dispatch(text)) return true;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException) { }
        return false;
    }

    /// <summary>True for listenKeyExpired.</summary>
    private bool Dispatch(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.TryGetProperty("data", out var data) && root.TryGetProperty("stream", out _)) root = data;
            if (BinanceJson.TryString(root, "e") == "listenKeyExpired") return true;
            onEvent(root);
        }
        catch (JsonException ex)
        {
            log?.Invoke($"Stream de usuario: evento ilegible ignorado ({ex.Message}).");
        }
        return false;
    }

    private async Task KeepAliveLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(rest.Options.ListenKeyKeepAlive, time, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            if (_listenKey is not { } key) continue;
            var r = await SendAsync(true, HttpMethod.Put, new BinanceQuery().Add("listenKey", key), ct).ConfigureAwait(false);
            KeepAlives++;
            if (!r.Success && r.Error!.Code == -1125)
            {
                log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"Stream de usuario: el listenKey ya no existe (-1125); se crea otro."));
                _listenKey = null;
                if (_socket is { } s) s.Abort(); // the run loop reconnects with a new key
            }
        }
    }

    /// <summary>A listenKey call (weight 1); in a background turn except at the start (the session's own call).</summary>
    private Task<ExchangeResult<BinanceResponse>> SendAsync(bool background, HttpMethod method, BinanceQuery query, CancellationToken ct) =>
        background && turns is not null
            ? turns.InBackgroundAsync(() => rest.SendAsync(method, "/fapi/v1/listenKey", query, BinanceSecurity.ApiKey, 1, ct), ct)
            : rest.SendAsync(method, "/fapi/v1/listenKey", query, BinanceSecurity.ApiKey, 1, ct);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket?.Abort();
        try { await _run.ConfigureAwait(false); } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
