using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Afml.Core.Exchange.Binance;

/// <summary>
/// One HTTP conversation with Binance USDT-M Futures. Signed requests carry every parameter in the query string
/// (as the official connectors do), built and percent-encoded once, signed, with <c>&amp;signature=</c> appended
/// last, so the bytes signed are the bytes sent. It keeps the server-time offset (synced at the first signed
/// request, periodically, and again after a -1021/-5028, which is retried exactly once), the rate limits
/// (<see cref="BinanceRateGate"/>), and a per-request timeout. Failures come back as <see cref="ExchangeError"/>
/// values; only cancellation by the caller throws.
/// </summary>
public sealed class BinanceRestClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly BinanceOptions _options;
    private readonly TimeProvider _time;
    private readonly BinanceSigner? _signer;

    /// <param name="handler">The HTTP stack (tests pass a stub); by default a pooled <see cref="SocketsHttpHandler"/>.</param>
    /// <param name="rateGate">A gate shared with the session's other Binance clients: Binance counts request weight
    /// and 429/418 per IP, so the feed and the exchange must hold back together.</param>
    public BinanceRestClient(BinanceEnvironment environment, BinanceOptions options, TimeProvider time,
        BinanceCredentials? credentials = null, HttpMessageHandler? handler = null, bool disposeHandler = true, BinanceRateGate? rateGate = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        Environment = environment;
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _signer = credentials is null ? null : new BinanceSigner(credentials);
        handler ??= new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = DecompressionMethods.All };
        _http = new HttpClient(handler, disposeHandler) { BaseAddress = environment.Rest, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Afml", "0.1"));
        Clock = new BinanceServerClock(time);
        RateGate = rateGate ?? new BinanceRateGate(options);
    }

    public BinanceEnvironment Environment { get; }
    public BinanceServerClock Clock { get; }
    public BinanceRateGate RateGate { get; }
    public BinanceOptions Options => _options;

    /// <summary>GET /fapi/v1/time and recompute the offset from the round trip's midpoint.</summary>
    public async Task<ExchangeResult<long>> SyncTimeAsync(CancellationToken ct)
    {
        var before = Clock.LocalNowMs;
        var r = await SendOnceAsync(HttpMethod.Get, "/fapi/v1/time", new BinanceQuery(), BinanceSecurity.None, 1, false, ct, null).ConfigureAwait(false);
        var after = Clock.LocalNowMs;
        if (!r.Success) return ExchangeResult<long>.Fail(r.Error!);
        try
        {
            using var doc = JsonDocument.Parse(r.Data!.Body);
            var server = doc.RootElement.GetProperty("serverTime").GetInt64();
            Clock.Apply(server, before, after);
            return ExchangeResult<long>.Ok(Clock.OffsetMs);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return ExchangeResult<long>.Fail(ExchangeErrorKind.Unknown, $"GET /fapi/v1/time answered an unreadable body: {ex.Message}");
        }
    }

    /// <summary>Sends one logical request. Signed requests get timestamp and recvWindow, and one resync-and-retry
    /// after an invalid-timestamp rejection (which is definite: nothing was executed).</summary>
    public async Task<ExchangeResult<BinanceResponse>> SendAsync(HttpMethod method, string path, BinanceQuery query,
        BinanceSecurity security, int weight, CancellationToken ct, bool isOrder = false, BinanceCallTrace? trace = null)
    {
        if (security != BinanceSecurity.None && _signer is null)
            return ExchangeResult<BinanceResponse>.Fail(ExchangeErrorKind.Unauthorized, $"{method} {path} needs API credentials and none were given.");
        // An order never waits for a periodic resync (it would sit between a candle's close and its order): once the
        // offset is known, a stale one costs at most the -1021 below, a definite rejection resynced and resent once.
        if (security == BinanceSecurity.Signed && Clock.NeedsSync(_options.TimeResyncInterval) && !(isOrder && Clock.SyncedAt is not null))
        {
            var sync = await SyncTimeAsync(ct).ConfigureAwait(false);
            if (!sync.Success) return ExchangeResult<BinanceResponse>.Fail(sync.Error!);
        }
        var result = await SendOnceAsync(method, path, query, security, weight, isOrder, ct, trace).ConfigureAwait(false);
        if (security == BinanceSecurity.Signed && !result.Success && result.Error!.Kind == ExchangeErrorKind.InvalidTimestamp)
        {
            var sync = await SyncTimeAsync(ct).ConfigureAwait(false);
            if (!sync.Success) return result;
            result = await SendOnceAsync(method, path, query, security, weight, isOrder, ct, trace).ConfigureAwait(false);
        }
        return result;
    }

    /// <summary>The exact parameter string a signed request sends for <paramref name="query"/> at <paramref name="timestamp"/>:
    /// the caller's parameters, recvWindow, timestamp, then the signature.</summary>
    public string BuildSignedQuery(BinanceQuery query, long timestamp)
    {
        if (_signer is null) throw new InvalidOperationException("No credentials to sign with.");
        var q = query.Clone()
            .Add("recvWindow", (long)_options.RecvWindow.TotalMilliseconds)
            .Add("timestamp", timestamp);
        var encoded = q.Encode();
        return encoded + "&signature=" + _signer.Sign(encoded);
    }

    private async Task<ExchangeResult<BinanceResponse>> SendOnceAsync(HttpMethod method, string path, BinanceQuery query,
        BinanceSecurity security, int weight, bool isOrder, CancellationToken ct, BinanceCallTrace? trace)
    {
        if (RateGate.Ban(Clock.NowMs) is { } ban) return ExchangeResult<BinanceResponse>.Fail(ban);
        var wait = RateGate.DelayBefore(weight, isOrder, Clock.NowMs);
        if (wait > _options.MaxRateLimitWait)
            return ExchangeResult<BinanceResponse>.Fail(ExchangeErrorKind.RateLimited,
                $"Rate limit: {method} {path} would have to wait {wait.TotalSeconds:F0} s; not sent.");
        if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, ct).ConfigureAwait(false);

        string text;
        if (security == BinanceSecurity.Signed)
        {
            var timestamp = Clock.NowMs - (long)_options.TimestampSafety.TotalMilliseconds;
            text = BuildSignedQuery(query, timestamp);
            if (trace is not null) trace.LastTimestamp = timestamp;
        }
        else
        {
            text = query.Encode();
        }
        using var request = new HttpRequestMessage(method, text.Length == 0 ? path : path + "?" + text);
        if (security != BinanceSecurity.None) request.Headers.Add("X-MBX-APIKEY", _signer!.ApiKey);
        if (trace is not null)
        {
            trace.Requests++;
            trace.LastSentAt = _time.GetUtcNow();
        }

        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        HttpResponseMessage response;
        string body;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            body = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return ExchangeResult<BinanceResponse>.Fail(ExchangeErrorKind.Unknown,
                $"{method} {path}: no answer within {_options.RequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; outcome unknown.");
        }
        catch (HttpRequestException ex)
        {
            // Could not connect at all: nothing reached Binance. Anything later (reset, truncated answer) may have.
            var notSent = ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError;
            return ExchangeResult<BinanceResponse>.Fail(notSent ? ExchangeErrorKind.Network : ExchangeErrorKind.Unknown,
                $"{method} {path}: {ex.Message}");
        }
        catch (IOException ex)
        {
            return ExchangeResult<BinanceResponse>.Fail(ExchangeErrorKind.Unknown, $"{method} {path}: {ex.Message}");
        }

        using (response)
        {
            var now = Clock.NowMs;
            RateGate.Observe(response.Headers, now);
            var status = (int)response.StatusCode;
            var (code, message) = ReadError(body);
            if (status == 429) RateGate.OnTooManyRequests(RetryAfter(response), now);
            if (status == 418) RateGate.OnBanned(RetryAfter(response), now, message ?? body);
            if (status is >= 200 and < 300 && code is not < 0)
                return ExchangeResult<BinanceResponse>.Ok(new BinanceResponse(status, body));
            var error = BinanceErrorMap.Map(status, code, message ?? Truncate(body));
            return ExchangeResult<BinanceResponse>.Fail(error with { Message = $"{method} {path}: {error.Message}" });
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is { } ra)
        {
            if (ra.Delta is { } d) return d;
            if (ra.Date is { } date) return date - _time.GetUtcNow();
        }
        return null;
    }

    private static (int? Code, string? Message) ReadError(string body)
    {
        if (string.IsNullOrEmpty(body) || body[0] != '{') return (null, null);
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            int? code = root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var ci) ? ci : null;
            var msg = root.TryGetProperty("msg", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            return (code, msg);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static string Truncate(string body) => body.Length <= 200 ? body : body[..200] + "…";

    public void Dispose() => _http.Dispose();
}
