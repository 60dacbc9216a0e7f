namespace Afml.FakeBinance;

/// <summary>A settable clock for tests: only <see cref="GetUtcNow"/> moves, and only when told to. Timers still
/// run on real time (the fake uses the clock for timestamps and validity, never for waiting).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public static ManualClock AtUnixMilliseconds(long ms) => new(DateTimeOffset.FromUnixTimeMilliseconds(ms));

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _ticks, now.UtcTicks);
}
