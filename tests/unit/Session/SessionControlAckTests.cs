using Afml.Core.Exchange;
using Afml.Core.Risk;
using Afml.Core.Session;
using Microsoft.Extensions.Time.Testing;

namespace Afml.Tests.Session;

public class SessionControlAckTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("afml-ack-").FullName;
    private string StatusPath => Path.Combine(_dir, "sesion_20261202_101500.status.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static EmergencyOutcome Outcome => new("r", 1, 2, true, [], new OrderFill("id", 1, OrderSide.Sell, OrderStatus.Filled, 0.5, 100, 0.1)) { Symbol = "BTCUSDT" };

    [Fact]
    public async Task The_waiter_returns_the_ack_of_its_own_request_only()
    {
        var time = new FakeTimeProvider();
        var request = new ControlRequest(ControlRequest.Emergency, "x", time.GetUtcNow(), "me");
        SessionControl.Request(StatusPath, request);
        var taken = SessionControl.Take(StatusPath)!;
        Assert.Equal(request.Id, taken.Id);

        var wait = SessionControl.WaitForAckAsync(StatusPath, request.Id, time, TimeSpan.FromMinutes(1), () => true, CancellationToken.None);
        SessionControl.Acknowledge(StatusPath, ControlAck.For(new ControlRequest("emergency", "old", time.GetUtcNow(), "me"), "s", Outcome, time.GetUtcNow()));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(wait.IsCompleted); // someone else's ack
        SessionControl.Acknowledge(StatusPath, ControlAck.For(taken, "20261202_101500", Outcome, time.GetUtcNow()));
        // The waiter's next poll may be registered only after an advance (its continuation runs on the pool): keep
        // the fake clock moving until it has looked; the ack is read before the deadline is checked.
        // Never past the waiter's one-minute bound (under load the pool may not run it between advances, and 10,000
        // blind advances once ran the fake clock 40 minutes past it: a null ack); a real millisecond lets it run.
        for (var i = 0; i < 10_000 && !wait.IsCompleted; i++)
        {
            if (time.GetUtcNow() - time.Start < TimeSpan.FromSeconds(50)) time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(1);
        }
        var ack = await wait.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(ack);
        Assert.Equal(EmergencyStates.Flat, ack.State);
        Assert.Equal(1, ack.PositionsClosed);
        Assert.Equal(2, ack.OrdersCancelled);
        Assert.Equal(0.5, ack.ClosedQuantity); // what the close filled: Invoke-AfmlEmergency's ClosedQuantity in session mode
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public async Task The_waiter_gives_up_at_its_bound_or_when_the_session_ends()
    {
        var time = new FakeTimeProvider();
        var wait = SessionControl.WaitForAckAsync(StatusPath, "nope", time, TimeSpan.FromSeconds(3), () => true, CancellationToken.None);
        for (var i = 0; i < 20 && !wait.IsCompleted; i++) { time.Advance(TimeSpan.FromMilliseconds(250)); await Task.Yield(); }
        Assert.Null(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(time.GetUtcNow() - time.Start >= TimeSpan.FromSeconds(3));

        var ended = await SessionControl.WaitForAckAsync(StatusPath, "nope", time, TimeSpan.FromHours(1), () => false, CancellationToken.None);
        Assert.Null(ended);
    }
}
