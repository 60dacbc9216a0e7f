namespace Afml.FakeBinance.Rest;

/// <summary>REQUEST_WEIGHT and ORDERS counters per window of the server clock, plus the 429 → 418 escalation:
/// a client that calls again before the Retry-After of a 429 has passed gets banned.</summary>
internal sealed class RateLimiter(int weightLimitPerMinute, TimeSpan banDuration)
{
    private readonly object _gate = new();
    private long _minute = -1;
    private long _tenSeconds = -1;
    private int _weight;
    private int _orders1M;
    private int _orders10S;
    private long _backoffUntil;
    private long _bannedUntil;
    private bool _banHeader = true;
    private int _duringBan;

    /// <summary>Requests that arrived while the IP was banned (each one extends nothing here, but on Binance it may).</summary>
    public int RequestsDuringBan { get { lock (_gate) return _duringBan; } }

    public int UsedWeight { get { lock (_gate) return _weight; } }

    /// <summary>Null when the call may proceed; otherwise the 429/418 to answer and its Retry-After seconds.</summary>
    /// <returns>Null when the call may proceed; otherwise the error and the Retry-After seconds (null: no header).</returns>
    public (BinanceError Error, int? RetryAfterSeconds)? Admit(long now, int weight)
    {
        lock (_gate)
        {
            Roll(now);
            if (now < _bannedUntil)
            {
                _duringBan++;
                return (Banned(), _banHeader ? Seconds(_bannedUntil - now) : null);
            }
            if (now < _backoffUntil)
            {
                _bannedUntil = now + (long)banDuration.TotalMilliseconds;
                _banHeader = true;
                return (Banned(), Seconds(_bannedUntil - now));
            }
            _weight += weight;
            if (_weight > weightLimitPerMinute)
            {
                var nextMinute = (_minute + 1) * 60_000;
                _backoffUntil = nextMinute;
                return (new BinanceError(429, -1003, $"Too many requests; current limit of IP is {weightLimitPerMinute} requests per minute. Please use the websocket for live updates to avoid polling the API."), Seconds(nextMinute - now));
            }
            return null;
        }
    }

    /// <summary>A scripted 429: the client must now wait <paramref name="retryAfter"/>.</summary>
    public int ForceBackoff(long now, TimeSpan retryAfter)
    {
        lock (_gate)
        {
            _backoffUntil = now + (long)retryAfter.TotalMilliseconds;
            return Seconds(_backoffUntil - now);
        }
    }

    /// <summary>A scripted ban from now for <paramref name="duration"/>; the 418 and its body to answer.</summary>
    public (BinanceError Error, int? RetryAfterSeconds) ForceBan(long now, TimeSpan duration, bool retryAfterHeader)
    {
        lock (_gate)
        {
            _bannedUntil = now + (long)duration.TotalMilliseconds;
            _banHeader = retryAfterHeader;
            return (Banned(), retryAfterHeader ? Seconds(_bannedUntil - now) : null);
        }
    }

    public long BannedUntil { get { lock (_gate) return _bannedUntil; } }

    public (int TenSeconds, int OneMinute) CountOrder(long now)
    {
        lock (_gate)
        {
            Roll(now);
            return (++_orders10S, ++_orders1M);
        }
    }

    public (int TenSeconds, int OneMinute) OrderCounts { get { lock (_gate) return (_orders10S, _orders1M); } }

    private BinanceError Banned() =>
        new(418, -1003, $"Way too many requests; IP(127.0.0.1) banned until {_bannedUntil}. Please use the websocket for live updates to avoid bans.");

    private static int Seconds(long ms) => (int)Math.Max(1, (ms + 999) / 1000);

    private void Roll(long now)
    {
        var minute = now / 60_000;
        if (minute != _minute) { _minute = minute; _weight = 0; _orders1M = 0; }
        var ten = now / 10_000;
        if (ten != _tenSeconds) { _tenSeconds = ten; _orders10S = 0; }
    }
}
