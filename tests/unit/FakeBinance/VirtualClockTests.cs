using Afml.FakeBinance;

namespace Afml.Tests.FakeBinance;

public sealed class VirtualClockTests
{
    /// <summary>Real time the test moves by hand (timestamps in ticks).</summary>
    private sealed class SteppedTime : TimeProvider
    {
        public long Ticks { get; set; }
        public override long GetTimestamp() => Ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }

    private const long Hour = 3_600_000;

    [Fact]
    public void Runs_at_speed_inside_the_candle_never_past_its_close_and_restarts_at_the_next_open()
    {
        var real = new SteppedTime();
        var clock = new VirtualClock(10 * Hour, Hour, speed: 60, real);
        Assert.Equal(10 * Hour, clock.GetUtcNow().ToUnixTimeMilliseconds());

        real.Ticks += TimeSpan.FromSeconds(30).Ticks; // 30 s real = 30 min virtual
        Assert.Equal(10 * Hour + Hour / 2, clock.GetUtcNow().ToUnixTimeMilliseconds());

        real.Ticks += TimeSpan.FromMinutes(5).Ticks;
        Assert.Equal(11 * Hour, clock.GetUtcNow().ToUnixTimeMilliseconds());

        clock.EnterCandle(10 * Hour); // the same candle again: no step back
        Assert.Equal(11 * Hour, clock.GetUtcNow().ToUnixTimeMilliseconds());

        clock.EnterCandle(11 * Hour);
        real.Ticks += TimeSpan.FromSeconds(1).Ticks;
        Assert.Equal(11 * Hour + 60_000, clock.GetUtcNow().ToUnixTimeMilliseconds());
    }
}
