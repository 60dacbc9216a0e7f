using System.Globalization;
using System.Runtime.CompilerServices;
using Afml.Core.Exchange.Binance;

namespace Afml.Core.MarketData.Binance;

/// <summary>
/// Live candles from Binance USDT-M Futures. History: the latest <see cref="HistoryCandles"/> closed klines over
/// REST. Then, for intervals below <see cref="BinanceFeedOptions.StreamBelow"/>, the final (<c>k.x</c>) events of
/// the <c>&lt;symbol&gt;@kline_&lt;interval&gt;</c> stream on the routed <c>/market</c> endpoint, with REST as the
/// fallback: after every (re)connect the missed candles are backfilled, and a candle whose final event has not
/// arrived <see cref="BinanceFeedOptions.CloseGrace"/> after its close is fetched. Longer intervals poll REST at
/// each close plus <see cref="BinanceFeedOptions.PollDelay"/>. A <see cref="CandleSequencer"/> makes the output
/// strictly increasing and contiguous with no repeats. Connections that go silent or reach 23 h are replaced; a
/// failed connect is retried with exponential back-off while REST keeps the candles coming. Every wait goes
/// through the <see cref="TimeProvider"/> and the token.
/// </summary>
public sealed class BinanceMarketFeed : IMarketFeed
{
    private readonly BinanceRestClient _rest;
    private readonly BinanceKlineClient _klines;
    private readonly IKlineStreamConnector _connector;
    private readonly BinanceFeedOptions _options;
    private readonly TimeProvider _time;
    private readonly Action<string>? _log;
    private readonly CandleSequencer _sequencer;

    /// <param name="environment">Production, Testnet or <see cref="BinanceEnvironment.Local"/>; only its REST and
    /// market-stream addresses are used (no credentials: klines are public).</param>
    /// <param name="historyCandles">How many closed candles <see cref="LoadHistoryAsync"/> returns; the caller
    /// computes it (e.g. <see cref="RequiredHistory"/> plus a margin for long-memory indicators).</param>
    /// <param name="handler">HTTP stack for REST (tests pass a stub); disposed with the feed.</param>
    /// <param name="connector">Stream connections; WebSocket by default.</param>
    /// <param name="log">Receives one line per notable event (reconnects, REST fallbacks, failures).</param>
    /// <param name="rateGate">Shared with the session's exchange client (Binance's limits are per IP).</param>
    public BinanceMarketFeed(BinanceEnvironment environment, string symbol, CandleInterval interval, int historyCandles, TimeProvider time,
        BinanceFeedOptions? options = null, HttpMessageHandler? handler = null, IKlineStreamConnector? connector = null, Action<string>? log = null,
        BinanceRateGate? rateGate = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        ArgumentOutOfRangeException.ThrowIfNegative(historyCandles);
        _options = options ?? new BinanceFeedOptions();
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _log = log;
        Symbol = symbol.ToUpperInvariant();
        Interval = interval;
        HistoryCandles = historyCandles;
        UsesWebSocket = _options.UseWebSocket && interval.Length < _options.StreamBelow;
        StreamUri = environment.MarketStream($"{symbol.ToLowerInvariant()}@kline_{interval.Text}");
        _rest = new BinanceRestClient(environment, _options.Rest, time, credentials: null, handler, rateGate: rateGate);
        _klines = new BinanceKlineClient(_rest, Symbol, interval, _options.PageLimit);
        _connector = connector ?? new WebSocketKlineConnector(time, _options.ConnectTimeout);
        _sequencer = new CandleSequencer(interval);
    }

    public string Symbol { get; }
    public CandleInterval Interval { get; }

    /// <summary>The REST client (server-time offset, rate-limit state) for diagnostics.</summary>
    public BinanceRestClient Rest => _rest;
    public int HistoryCandles { get; }

    /// <summary>True when closed candles come from the kline stream (REST only as fallback).</summary>
    public bool UsesWebSocket { get; }

    /// <summary>The raw stream URL, e.g. wss://fstream.binance.com/market/ws/btcusdt@kline_1m.</summary>
    public Uri StreamUri { get; }

    /// <summary>Open time of the last candle delivered (history included).</summary>
    public long? LastOpenTime => _sequencer.LastOpenTime;

    /// <summary>Connections opened, stream candles dropped as repeats, and REST fetches made after the history.</summary>
    public int Connections { get; private set; }
    public int Duplicates => _sequencer.Duplicates;
    public int RestFetches { get; private set; }

    /// <summary>History the features and the observation window need before the first decision, as a replay counts
    /// it: the feature warm-up plus the window minus one.</summary>
    public static int RequiredHistory(int featureWarmupCandles, int windowSize) => featureWarmupCandles + windowSize - 1;

    public async Task<IReadOnlyList<Candle>> LoadHistoryAsync(CancellationToken ct)
    {
        await _rest.SyncTimeAsync(ct).ConfigureAwait(false); // best effort: the local clock is the fallback
        var r = await _klines.LatestClosedAsync(HistoryCandles, ct).ConfigureAwait(false);
        for (var attempt = 1; !r.Success && r.Error!.Message.StartsWith(BinanceKlineClient.RefusedCandlePrefix, StringComparison.Ordinal) && attempt < 3; attempt++)
        {
            // a page with an impossible candle: fetch it again before giving up
            Log($"{Symbol} {Interval}: history fetch failed ({r.Error}); retrying");
            await Task.Delay(_options.RestRetryDelay, _time, ct).ConfigureAwait(false);
            r = await _klines.LatestClosedAsync(HistoryCandles, ct).ConfigureAwait(false);
        }
        if (!r.Success)
            throw new AfmlException("MarketHistoryFailed", AfmlErrorCategory.ConnectionError,
                $"Could not load {HistoryCandles} {Interval} candles of {Symbol} from {_rest.Environment.Rest}: {r.Error}", Symbol);
        var history = r.Data!;
        if (history.Count > 0 && _sequencer.LastOpenTime is null) _sequencer.Start(history[^1].OpenTime);
        if (history.Count < HistoryCandles)
            Log($"{Symbol} {Interval}: only {history.Count} of {HistoryCandles} history candles exist");
        return history;
    }

    public async IAsyncEnumerable<Candle> StreamClosedCandlesAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await StartAsync(ct).ConfigureAwait(false);
        var ready = new Queue<Candle>();
        IKlineStream? stream = null;
        var connectFailures = 0;
        var restMisses = 0;
        var nextConnect = _time.GetUtcNow();
        var connectedAt = DateTimeOffset.MinValue;
        var lastData = DateTimeOffset.MinValue;
        var nextRest = Deadline();
        var reconnected = false;
        try
        {
            while (true)
            {
                while (ready.Count > 0) yield return ready.Dequeue();
                ct.ThrowIfCancellationRequested();
                var now = _time.GetUtcNow();

                if (UsesWebSocket && stream is null && now >= nextConnect)
                {
                    stream = await TryConnectAsync(ct).ConfigureAwait(false);
                    if (stream is null)
                    {
                        connectFailures++;
                        nextConnect = now + Backoff(_options.ReconnectInitialDelay, _options.ReconnectMaxDelay, connectFailures);
                        Log($"{Symbol} {Interval}: stream connect failed ({connectFailures}); next try in {(nextConnect - now).TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s, REST covers meanwhile");
                    }
                    else
                    {
                        connectFailures = 0;
                        connectedAt = lastData = now;
                        nextRest = now; // backfill whatever closed while disconnected
                        reconnected = true;
                    }
                    continue;
                }

                if (now >= nextRest)
                {
                    var got = await BackfillAsync(reconnected, ct).ConfigureAwait(false);
                    reconnected = false;
                    foreach (var c in got ?? []) ready.Enqueue(c);
                    if (got is { Count: > 0 } || !ExpectedClosed())
                    {
                        restMisses = 0;
                        nextRest = Deadline();
                    }
                    else
                    {
                        restMisses++;
                        nextRest = now + Backoff(_options.RestRetryDelay, _options.RestRetryMax, restMisses);
                    }
                    continue;
                }

                if (stream is not null && (now - lastData >= _options.NoDataTimeout || now - connectedAt >= _options.MaxConnectionAge))
                {
                    Log(now - lastData >= _options.NoDataTimeout
                        ? $"{Symbol} {Interval}: no stream data for {_options.NoDataTimeout.TotalSeconds:F0} s; reconnecting"
                        : $"{Symbol} {Interval}: connection is {_options.MaxConnectionAge.TotalHours:F0} h old; reconnecting before Binance's 24 h cut");
                    await stream.DisposeAsync().ConfigureAwait(false);
                    stream = null;
                    nextConnect = now;
                    continue;
                }

                var wake = nextRest;
                if (UsesWebSocket && stream is null && nextConnect < wake) wake = nextConnect;
                if (stream is not null)
                {
                    if (lastData + _options.NoDataTimeout < wake) wake = lastData + _options.NoDataTimeout;
                    if (connectedAt + _options.MaxConnectionAge < wake) wake = connectedAt + _options.MaxConnectionAge;
                }
                var wait = wake > now ? wake - now : TimeSpan.Zero;
                if (stream is null)
                {
                    await Task.Delay(wait, _time, ct).ConfigureAwait(false);
                    continue;
                }

                var (ev, ended) = await ReceiveAsync(stream, wait, ct).ConfigureAwait(false);
                if (ended)
                {
                    Log($"{Symbol} {Interval}: stream ended ({stream.EndReason ?? "no reason"}); reconnecting");
                    await stream.DisposeAsync().ConfigureAwait(false);
                    stream = null;
                    connectFailures++;
                    nextConnect = _time.GetUtcNow() + Backoff(_options.ReconnectInitialDelay, _options.ReconnectMaxDelay, connectFailures);
                    continue;
                }
                if (ev is not { } e) continue;
                lastData = _time.GetUtcNow();
                connectFailures = 0;
                if (e.IsClosed && CandleSanity.Problem(e.Candle) is { } problem)
                {
                    // Never traded on: left out of the sequence, so it shows as a gap that REST fills.
                    Log($"{Symbol} {Interval}: stream candle {e.Candle.OpenTimeUtc:yyyy-MM-ddTHH:mm:ssZ} refused ({problem}); fetching it over REST");
                    if (restMisses == 0 && nextRest > lastData) nextRest = lastData;
                }
                else if (e.IsClosed)
                    foreach (var c in _sequencer.Offer(e.Candle)) ready.Enqueue(c);
                // A gap, or a newer bar already forming while the expected one was never final: ask REST now,
                // unless a REST retry is already scheduled.
                var behind = _sequencer.NextOpenTime is { } next && e.Candle.OpenTime > next;
                if ((_sequencer.HasGap || behind) && restMisses == 0 && nextRest > lastData) nextRest = lastData;
                if (ready.Count > 0 && !_sequencer.HasGap) nextRest = Deadline();
            }
        }
        finally
        {
            if (stream is not null) await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync()
    {
        _rest.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Without history the stream starts after the latest closed candle.</summary>
    private async Task StartAsync(CancellationToken ct)
    {
        for (var attempt = 1; _sequencer.LastOpenTime is null; attempt++)
        {
            await _rest.SyncTimeAsync(ct).ConfigureAwait(false);
            var r = await _klines.LatestClosedAsync(1, ct).ConfigureAwait(false);
            if (r.Success && r.Data!.Count == 1)
            {
                _sequencer.Start(r.Data[0].OpenTime);
                return;
            }
            Log($"{Symbol} {Interval}: cannot find the latest closed candle ({(r.Success ? "none returned" : r.Error!.ToString())}); retrying");
            await Task.Delay(Backoff(_options.RestRetryDelay, _options.RestRetryMax, attempt), _time, ct).ConfigureAwait(false);
        }
    }

    /// <param name="afterReconnect">The stream was down: a close may have been missed without a gap showing yet.</param>
    private async Task<IReadOnlyList<Candle>?> BackfillAsync(bool afterReconnect, CancellationToken ct)
    {
        // A gap (or a reconnect, which may hide one) means the server may be ahead of what we have; make sure our
        // idea of its clock is too (a stale offset would make closed bars look open and stall the backfill until
        // the next close's grace deadline).
        if (_sequencer.HasGap || afterReconnect || _rest.Clock.NeedsSync(_options.ClockCheckInterval)) await _rest.SyncTimeAsync(ct).ConfigureAwait(false);
        RestFetches++;
        var r = await _klines.ClosedFromAsync(_sequencer.NextOpenTime!.Value, ct).ConfigureAwait(false);
        if (!r.Success)
        {
            Log($"{Symbol} {Interval}: REST klines failed: {r.Error}");
            return null;
        }
        return _sequencer.OfferAuthoritative(r.Data!);
    }

    private async Task<IKlineStream?> TryConnectAsync(CancellationToken ct)
    {
        try
        {
            var s = await _connector.ConnectAsync(StreamUri, ct).ConfigureAwait(false);
            Connections++;
            if (Connections > 1) Log($"{Symbol} {Interval}: stream reconnected ({Connections - 1}); backfilling over REST");
            return s;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is not OutOfMemoryException)
        {
            Log($"{Symbol} {Interval}: {StreamUri}: {ex.Message}");
            return null;
        }
    }

    private async Task<(KlineEvent? Event, bool Ended)> ReceiveAsync(IKlineStream stream, TimeSpan wait, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(wait, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            var e = await stream.ReceiveAsync(linked.Token).ConfigureAwait(false);
            return e is null ? (null, true) : (e, false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, false);
        }
    }

    /// <summary>Local time at which the next expected candle is fetched over REST if it has not arrived.</summary>
    private DateTimeOffset Deadline()
    {
        var closeMs = _sequencer.NextOpenTime!.Value + _sequencer.IntervalMs;
        var delay = UsesWebSocket ? _options.CloseGrace : _options.PollDelay;
        return DateTimeOffset.FromUnixTimeMilliseconds(closeMs - _rest.Clock.OffsetMs) + delay;
    }

    /// <summary>True when the next expected candle has closed by the server's clock.</summary>
    private bool ExpectedClosed() => _rest.Clock.NowMs >= _sequencer.NextOpenTime!.Value + _sequencer.IntervalMs;

    private static TimeSpan Backoff(TimeSpan initial, TimeSpan max, int failures)
    {
        var factor = Math.Pow(2, Math.Clamp(failures - 1, 0, 20));
        var ms = Math.Min(initial.TotalMilliseconds * factor, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms);
    }

    private void Log(string message) => _log?.Invoke(message);
}
