using System.Globalization;
using System.Net.Http.Headers;

namespace Afml.Core.Exchange.Binance;

/// <summary>
/// Keeps the client under Binance's limits: it reads X-MBX-USED-WEIGHT-1M and X-MBX-ORDER-COUNT-1M from every
/// answer and asks callers to wait for the next minute when the next request would pass a fraction of the
/// limit; after a 429 it holds all traffic until Retry-After (or the next minute); after a 418 it refuses to send
/// anything until the ban is over: the time the body names ("IP banned until &lt;ms&gt;"), else Retry-After, else a
/// conservative default that doubles with every such ban (Binance escalates repeat bans from 2 minutes to 3 days, and
/// a request sent during a ban can extend it). Times are server milliseconds. Binance counts per IP, so one gate
/// serves every client of a host in the process (<see cref="BinanceRateGates"/>).
/// </summary>
public sealed partial class BinanceRateGate(BinanceOptions options)
{
    /// <summary>Binance's longest ban.</summary>
    public static readonly TimeSpan MaxBan = TimeSpan.FromDays(3);

    [System.Text.RegularExpressions.GeneratedRegex(@"banned until (\d{10,16})", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex BannedUntilPattern();

    private int _unexplainedBans;
    private readonly object _gate = new();
    private int _weightLimit = options.WeightLimitPerMinute;
    private int _orderLimit = options.OrderLimitPerMinute;
    private long _usedWeight;
    private long _weightMinute = -1;
    private long _orderCount;
    private long _orderMinute = -1;
    private long _backoffUntilMs;
    private long _bannedUntilMs;

    public long UsedWeight { get { lock (_gate) return _usedWeight; } }
    public long OrderCount { get { lock (_gate) return _orderCount; } }
    public long BannedUntilMs { get { lock (_gate) return _bannedUntilMs; } }

    /// <summary>Limits read from exchangeInfo's rateLimits.</summary>
    public void SetLimits(int? weightPerMinute, int? ordersPerMinute)
    {
        lock (_gate)
        {
            if (weightPerMinute is > 0) _weightLimit = weightPerMinute.Value;
            if (ordersPerMinute is > 0) _orderLimit = ordersPerMinute.Value;
        }
    }

    /// <summary>The active ban, if any.</summary>
    public ExchangeError? Ban(long nowMs)
    {
        lock (_gate)
        {
            if (nowMs >= _bannedUntilMs) return null;
            _refused++;
            var until = DateTimeOffset.FromUnixTimeMilliseconds(_bannedUntilMs);
            return new ExchangeError(ExchangeErrorKind.Banned, -1003,
                $"IP banned by Binance (HTTP 418) until {until.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}; no request is sent before then.");
        }
    }

    /// <summary>How long to wait before sending a request of this weight.</summary>
    public TimeSpan DelayBefore(int weight, bool isOrder, long nowMs)
    {
        lock (_gate)
        {
            var wait = Math.Max(0, _backoffUntilMs - nowMs);
            var minute = nowMs / 60_000;
            var nextMinute = (minute + 1) * 60_000 + 250 - nowMs;
            if (_weightMinute == minute && _usedWeight + weight > _weightLimit * options.RateLimitSlowDownAt)
                wait = Math.Max(wait, nextMinute);
            if (isOrder && _orderMinute == minute && _orderCount + 1 > _orderLimit * options.RateLimitSlowDownAt)
                wait = Math.Max(wait, nextMinute);
            return TimeSpan.FromMilliseconds(wait);
        }
    }

    public void Observe(HttpResponseHeaders headers, long nowMs)
    {
        var minute = nowMs / 60_000;
        lock (_gate)
        {
            if (Header(headers, "X-MBX-USED-WEIGHT-1M") is { } w) { _usedWeight = w; _weightMinute = minute; }
            if (Header(headers, "X-MBX-ORDER-COUNT-1M") is { } o) { _orderCount = o; _orderMinute = minute; }
        }
    }

    /// <summary>A 429's Retry-After is counted by the server from the request's arrival, in whole seconds, on its
    /// clock; ours starts at the answer, on an estimate of that clock. Sending exactly at the edge can land a
    /// millisecond early, and a request inside the back-off is what earns the 418 ban.</summary>
    public const long RetryAfterMarginMs = 250;

    /// <summary>HTTP 429: hold all traffic for Retry-After seconds (plus <see cref="RetryAfterMarginMs"/>), or to
    /// the next minute when absent or 0.</summary>
    public void OnTooManyRequests(TimeSpan? retryAfter, long nowMs)
    {
        var until = retryAfter is { } r && r > TimeSpan.Zero
            ? nowMs + (long)r.TotalMilliseconds + RetryAfterMarginMs
            : (nowMs / 60_000 + 1) * 60_000 + 1000;
        lock (_gate) _backoffUntilMs = Math.Max(_backoffUntilMs, until);
    }

    /// <summary>Requests refused locally because of a ban (none of them reached Binance).</summary>
    public long RefusedDuringBan { get { lock (_gate) return _refused; } }
    private long _refused;

    /// <summary>HTTP 418: nothing is sent until the ban is over. The body's "banned until &lt;ms&gt;" wins (it is the
    /// server's own clock), then Retry-After; with neither, <see cref="BinanceOptions.DefaultBan"/> doubled for every
    /// earlier such ban, capped at <see cref="MaxBan"/>.</summary>
    public void OnBanned(TimeSpan? retryAfter, long nowMs, string? body = null)
    {
        long until;
        if (body is not null && BannedUntilPattern().Match(body) is { Success: true } m
            && long.TryParse(m.Groups[1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bodyUntil) && bodyUntil > nowMs)
        {
            until = bodyUntil + RetryAfterMarginMs;
        }
        else if (retryAfter is { } r && r > TimeSpan.Zero)
        {
            until = nowMs + (long)r.TotalMilliseconds + RetryAfterMarginMs;
        }
        else
        {
            lock (_gate)
            {
                var factor = Math.Pow(2, Math.Min(_unexplainedBans++, 20));
                var ms = Math.Min(options.DefaultBan.TotalMilliseconds * factor, MaxBan.TotalMilliseconds);
                until = nowMs + (long)ms;
            }
        }
        lock (_gate) _bannedUntilMs = Math.Max(_bannedUntilMs, until);
    }

    private static long? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;
}
