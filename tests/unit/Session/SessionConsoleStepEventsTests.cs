using System.Threading.Channels;
using Afml.Core.Recording;
using Afml.Core.Risk;
using Afml.Core.Session;
using Microsoft.Extensions.Time.Testing;

namespace Afml.Tests.Session;

/// <summary>
/// Step events reach the caller's reader, on another thread, so a replay must not publish one per step unless the
/// caller streams every row (-PassThru): in progress mode a step is published first, then once per
/// <see cref="SessionConsole.ProgressInterval"/> of the session's clock, and the last expected one.
/// </summary>
public class SessionConsoleStepEventsTests
{
    private static StepRecorded Step(int paso) => new(new RegistroRow
    {
        Timestamp = DateTimeOffset.UnixEpoch.AddHours(paso), Paso = paso, Action = 0.5, Precio = 100, Balance = 1_000, Equity = 1_000,
        MaxDrawdown = 0, PnlTotal = 0, PosicionAbierta = false,
    }, OrderFilled: false, TradeClosed: false);

    private static List<int> Run(SessionStepEvents mode, int steps, int advanceEvery, int advanceMs = 100)
    {
        var time = new FakeTimeProvider();
        var events = Channel.CreateUnbounded<SessionEvent>();
        var console = new SessionConsole(new SessionLogger(events.Writer, time, SessionLogLevel.Warning), events.Writer, time, steps, mode);
        var progress = new SessionProgress(time.GetUtcNow(), new TradingStateLatch());
        for (var i = 1; i <= steps; i++)
        {
            console.OnStep(Step(i), progress);
            if (i % advanceEvery == 0) time.Advance(TimeSpan.FromMilliseconds(advanceMs));
        }
        var published = new List<int>();
        while (events.Reader.TryRead(out var e)) published.Add(Assert.IsType<SessionStep>(e).Completed);
        return published;
    }

    [Fact]
    public void Progress_mode_publishes_the_first_step_one_per_interval_and_the_last()
    {
        // 100 steps per 100 ms of the clock: 250 ms have passed at steps 301, 601 and 901.
        Assert.Equal([1, 301, 601, 901, 1000], Run(SessionStepEvents.Progress, 1000, advanceEvery: 100));
    }

    [Fact]
    public void Progress_mode_passes_every_step_of_a_session_whose_steps_are_far_apart()
    {
        // A live session: a candle (here 300 ms of the clock) between steps.
        Assert.Equal(Enumerable.Range(1, 20), Run(SessionStepEvents.Progress, 20, advanceEvery: 1, advanceMs: 300));
    }

    [Fact]
    public void Every_mode_publishes_each_step()
    {
        Assert.Equal(Enumerable.Range(1, 500), Run(SessionStepEvents.Every, 500, advanceEvery: 1000));
    }
}
