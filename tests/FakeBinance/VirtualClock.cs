namespace Afml.FakeBinance;

/// <summary>
/// The standalone run's server clock: historical time that flows at <c>speed</c>× real time from the open of the
/// candle being published and never passes its close, so serverTime, closedness of REST klines and event times
/// agree with what is streamed (as a test's <see cref="ManualClock"/> does, but moving by itself). The host calls
/// <see cref="EnterCandle"/> before publishing each candle.
/// </summary>
public sealed class VirtualClock : TimeProvider
{
    private readonly TimeProvider _real;
    private readonly double _speed;
    private readonly long _intervalMs;
    private readonly Lock _gate = new();
    private long _openMs;
    private long _enteredAt;

    public VirtualClock(long firstOpenMs, long intervalMs, double speed, TimeProvider? real = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(speed, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(intervalMs, 0);
        _real = real ?? System;
        _speed = speed;
        _intervalMs = intervalMs;
        EnterCandle(firstOpenMs);
    }

    /// <summary>Restarts the flow at <paramref name="openMs"/>, the open time of the candle about to be streamed.</summary>
    public void EnterCandle(long openMs)
    {
        lock (_gate)
        {
            if (openMs == _openMs) return; // already inside it: never step back
            _openMs = openMs;
            _enteredAt = _real.GetTimestamp();
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            var elapsed = _real.GetElapsedTime(_enteredAt).TotalMilliseconds * _speed;
            var ms = _openMs + (long)Math.Min(elapsed, _intervalMs);
            return DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }
    }
}
