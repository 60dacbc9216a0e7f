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
    private readonly KlineStreamSupervisor? _stream;
    private readonly KlineGapFiller _gaps;

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
        var name = $"{Symbol} {Interval}";
        _stream = UsesWebSocket ? new KlineStreamSupervisor(_connector, StreamUri, _options, time, name, Log) : null;
        _gaps = new KlineGapFiller(_rest, _klines, _sequencer, _options, UsesWebSocket, name, Log);
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
    public int Connections => _stream?.Connections ?? 0;
    public int Duplicates => _sequencer.Duplicates;
    public int RestFetches => _gaps.Fetches;

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

    /// <summary>Closed candles as they close: the stream's final events when connected (<see cref="KlineStreamSupervisor"/>
    /// keeps the connection), REST for whatever they miss (<see cref="KlineGapFiller"/>), in strict order through
    /// the sequencer.</summary>
    public async IAsyncEnumerable<Candle> StreamClosedCandlesAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await StartAsync(ct).ConfigureAwait(false);
        var ready = new Queue<Candle>();
        _gaps.Expect();
        try
        {
            while (true)
            {
                while (ready.Count > 0) yield return ready.Dequeue();
                ct.ThrowIfCancellationRequested();
                var now = _time.GetUtcNow();

                if (_stream is not null && _stream.ConnectDue(now))
                {
                    if (await _stream.ConnectAsync(now, ct).ConfigureAwait(false)) _gaps.AfterConnect(now); // backfill whatever closed while disconnected
                    continue;
                }
                if (_gaps.Due(now))
                {
                    foreach (var c in await _gaps.FetchAsync(now, ct).ConfigureAwait(false)) ready.Enqueue(c);
                    continue;
                }
                if (_stream is not null && await _stream.ReplaceIfStaleAsync(now).ConfigureAwait(false)) continue;

                var wake = _stream?.WakeBy(_gaps.Next) ?? _gaps.Next;
                var wait = wake > now ? wake - now : TimeSpan.Zero;
                if (_stream is null)
                {
                    await Task.Delay(wait, _time, ct).ConfigureAwait(false);
                    continue;
                }
                if (await _stream.ReceiveAsync(wait, ct).ConfigureAwait(false) is { } e) Take(e, ready);
            }
        }
        finally
        {
            if (_stream is not null) await _stream.CloseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A stream event: a final candle goes to the sequencer, an impossible one is refused (left out, so it
    /// shows as a gap that REST fills), and a gap or a bar newer than the expected one asks REST now.</summary>
    private void Take(KlineEvent e, Queue<Candle> ready)
    {
        var lastData = _stream!.LastData;
        if (e.IsClosed && CandleSanity.Problem(e.Candle) is { } problem)
        {
            Log($"{Symbol} {Interval}: stream candle {e.Candle.OpenTimeUtc:yyyy-MM-ddTHH:mm:ssZ} refused ({problem}); fetching it over REST");
            _gaps.Refused(lastData);
        }
        else if (e.IsClosed)
            foreach (var c in _sequencer.Offer(e.Candle)) ready.Enqueue(c);
        // A gap, or a newer bar already forming while the expected one was never final: ask REST now,
        // unless a REST retry is already scheduled.
        var behind = _sequencer.NextOpenTime is { } next && e.Candle.OpenTime > next;
        if (_sequencer.HasGap || behind) _gaps.Soon(lastData);
        if (ready.Count > 0 && !_sequencer.HasGap) _gaps.Expect();
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

    internal static TimeSpan Backoff(TimeSpan initial, TimeSpan max, int failures)
    {
        var factor = Math.Pow(2, Math.Clamp(failures - 1, 0, 20));
        var ms = Math.Min(initial.TotalMilliseconds * factor, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms);
    }

    private void Log(string message) => _log?.Invoke(message);
}
