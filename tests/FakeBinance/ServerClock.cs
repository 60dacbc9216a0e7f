namespace Afml.FakeBinance;

/// <summary>The venue's notion of now: the configured clock plus a settable offset (to emulate clock skew
/// between client and server).</summary>
internal sealed class ServerClock(TimeProvider clock)
{
    private long _offsetTicks;

    public TimeSpan Offset
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
        set => Interlocked.Exchange(ref _offsetTicks, value.Ticks);
    }

    public DateTimeOffset Now => clock.GetUtcNow() + Offset;
    public long NowMs => Now.ToUnixTimeMilliseconds();
}
