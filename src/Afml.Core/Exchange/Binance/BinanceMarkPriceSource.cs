using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Afml.Core.Exchange.Binance;

/// <summary>
/// Binance's mark price for one symbol: the <c>&lt;symbol&gt;@markPrice@1s</c> (or 3 s) market stream, reconnected with
/// a doubling back-off after any drop, and GET /fapi/v1/premiumIndex polled every <see cref="MarkPriceOptions.Period"/>
/// while the stream has been silent for longer than <see cref="MarkPriceOptions.SilenceTimeout"/>. A mark that does
/// not parse (not a positive finite price, a missing field) is ignored and logged, as a bad kline is.
/// </summary>
public sealed class BinanceMarkPriceSource : IMarkPriceSource
{
    private readonly BinanceEnvironment _environment;
    private readonly string _symbol;
    private readonly TimeProvider _time;
    private readonly MarkPriceOptions _options;
    private readonly BinanceRestClient _rest;
    private readonly Action<string>? _log;
    private long _lastStreamMark; // timestamp (TimeProvider) of the last mark the stream delivered
    private int _badMarks;

    public BinanceMarkPriceSource(BinanceEnvironment environment, string symbol, TimeProvider time, MarkPriceOptions? options = null,
        BinanceOptions? rest = null, BinanceRateGate? rateGate = null, Action<string>? log = null)
    {
        _environment = environment;
        _symbol = symbol.ToUpperInvariant();
        _time = time;
        _options = options ?? new MarkPriceOptions();
        _rest = new BinanceRestClient(environment, rest ?? new BinanceOptions(), time, credentials: null, rateGate: rateGate);
        _log = log;
    }

    /// <summary>Stream connections opened so far.</summary>
    public int Connections { get; private set; }
    /// <summary>Marks taken from premiumIndex while the stream was silent.</summary>
    public int Polled { get; private set; }

    public Uri StreamUri => _environment.MarketStream(_options.StreamName(_symbol));

    public async Task RunAsync(Action<MarkPrice> onMark, CancellationToken ct)
    {
        Volatile.Write(ref _lastStreamMark, _time.GetTimestamp());
        var stream = Task.Run(() => StreamAsync(onMark, ct), CancellationToken.None);
        var poll = Task.Run(() => PollWhileSilentAsync(onMark, ct), CancellationToken.None);
        try { await Task.WhenAll(stream, poll).ConfigureAwait(false); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    private async Task StreamAsync(Action<MarkPrice> onMark, CancellationToken ct)
    {
        var delay = _options.ReconnectInitialDelay;
        while (!ct.IsCancellationRequested)
        {
            string reason;
            try
            {
                using var socket = new ClientWebSocket();
                using (var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time))
                using (var connect = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token))
                    await socket.ConnectAsync(StreamUri, connect.Token).ConfigureAwait(false);
                Connections++;
                if (Connections > 1) _log?.Invoke($"📡 Precio de marca: stream {_options.StreamName(_symbol)} reconectado");
                delay = _options.ReconnectInitialDelay;
                reason = await ReceiveAsync(socket, onMark, ct).ConfigureAwait(false);
                socket.Abort();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or HttpRequestException)
            {
                reason = ex is OperationCanceledException ? $"no handshake within {_options.ConnectTimeout.TotalSeconds:0.#} s" : ex.Message;
            }
            if (ct.IsCancellationRequested) return;
            _log?.Invoke($"📡 Precio de marca: stream caído ({reason}); reconexión en {delay.TotalSeconds:0.#} s (premiumIndex mientras tanto)");
            await Task.Delay(delay, _time, ct).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMaxDelay.Ticks));
        }
    }

    /// <summary>Reads frames until the connection ends (or stays silent for <see cref="MarkPriceOptions.ReconnectAfterSilence"/>);
    /// returns why it ended.</summary>
    private async Task<string> ReceiveAsync(ClientWebSocket socket, Action<MarkPrice> onMark, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                using var timeout = new CancellationTokenSource(_options.ReconnectAfterSilence, _time);
                using var silence = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
                WebSocketReceiveResult r;
                try { r = await socket.ReceiveAsync(buffer, silence.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return $"silent for {_options.ReconnectAfterSilence.TotalSeconds:0.#} s"; }
                if (r.MessageType == WebSocketMessageType.Close) return $"closed by the server ({socket.CloseStatus} {socket.CloseStatusDescription})";
                message.Write(buffer, 0, r.Count);
                if (message.Length > 1 << 20) return "a message exceeded 1 MiB";
                if (!r.EndOfMessage) continue;
                var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                message.SetLength(0);
                if (Parse(() => MarkPriceParser.ParseEvent(text), "stream") is { } mark && string.Equals(mark.Symbol, _symbol, StringComparison.OrdinalIgnoreCase))
                {
                    Volatile.Write(ref _lastStreamMark, _time.GetTimestamp());
                    onMark(mark);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Every period: if the stream has been silent longer than the timeout, one premiumIndex read.</summary>
    private async Task PollWhileSilentAsync(Action<MarkPrice> onMark, CancellationToken ct)
    {
        var polling = false;
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(_options.Period, _time, ct).ConfigureAwait(false);
            var silent = _time.GetElapsedTime(Volatile.Read(ref _lastStreamMark));
            if (silent <= _options.SilenceTimeout)
            {
                if (polling) _log?.Invoke($"📡 Precio de marca: el stream vuelve a llegar; fin del sondeo de premiumIndex");
                polling = false;
                continue;
            }
            if (!polling) _log?.Invoke($"📡 Precio de marca: stream sin datos desde hace {silent.TotalSeconds:0.#} s; sondeando premiumIndex cada {_options.Period.TotalSeconds:0.#} s");
            polling = true;
            var r = await _rest.SendAsync(HttpMethod.Get, "/fapi/v1/premiumIndex", new BinanceQuery().Add("symbol", _symbol), BinanceSecurity.None, 1, ct).ConfigureAwait(false);
            if (!r.Success)
            {
                _log?.Invoke($"📡 Precio de marca: premiumIndex falló ({r.Error})");
                continue;
            }
            if (Parse(() => MarkPriceParser.ParsePremiumIndex(r.Data!.Body, _symbol), "premiumIndex") is { } mark)
            {
                Polled++;
                onMark(mark);
            }
        }
    }

    private MarkPrice? Parse(Func<MarkPrice?> parse, string where)
    {
        try { return parse(); }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or OverflowException)
        {
            // Logged, never acted on; the first few and then every hundredth, so a venue sending garbage cannot flood the log.
            var n = Interlocked.Increment(ref _badMarks);
            if (n <= 3 || n % 100 == 0) _log?.Invoke($"⚠️ Precio de marca ilegible ({where}, {n} hasta ahora): {ex.Message}; ignorado");
            return null;
        }
    }

    public ValueTask DisposeAsync()
    {
        _rest.Dispose();
        return ValueTask.CompletedTask;
    }
}
