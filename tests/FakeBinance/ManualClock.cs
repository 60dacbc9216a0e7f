namespace Afml.FakeBinance;

/// <summary>A settable clock for tests: only <see cref="GetUtcNow"/> moves, and only when told to. Timers still
/// run on real time (the fake uses the clock for timestamps and validity, never for waiting).</summary>
/// <remarks>With <c>runsWith</c> it also moves as that provider's time passes (a venue whose clock runs between
/// candles, as Binance's does), which rules measured in server time — a 429's Retry-After — need.</remarks>
public sealed class ManualClock(DateTimeOffset start, TimeProvider? runsWith = null) : TimeProvider
{
    private readonly long _startTimestamp = runsWith?.GetTimestamp() ?? 0;
    private long _ticks = start.UtcTicks;

    public static ManualClock AtUnixMilliseconds(long ms, TimeProvider? runsWith = null) => new(DateTimeOffset.FromUnixTimeMilliseconds(ms), runsWith);

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks) + Elapsed, TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _ticks, now.UtcTicks - Elapsed);

    private long Elapsed => runsWith is null ? 0 : runsWith.GetElapsedTime(_startTimestamp).Ticks;
}
