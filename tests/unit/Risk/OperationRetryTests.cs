using Afml.Core.Exchange;
using Afml.Core.Risk;
using Microsoft.Extensions.Time.Testing;

namespace Afml.Tests.Risk;

/// <summary>The seed's rule: up to 3 attempts 1 s apart for failures that may pass; definite rejections once.</summary>
public class OperationRetryTests
{
    private static ExchangeResult<int> Fail(ExchangeErrorKind kind) => ExchangeResult<int>.Fail(kind, "boom");

    [Fact]
    public async Task A_failure_that_may_pass_is_tried_three_times_one_second_apart()
    {
        var time = new FakeTimeProvider();
        var retry = new OperationRetry(time);
        var attempts = new List<DateTimeOffset>();
        var retried = new List<int>();
        var run = retry.RunAsync(_ => { attempts.Add(time.GetUtcNow()); return Task.FromResult(Fail(ExchangeErrorKind.Unknown)); },
            CancellationToken.None, (n, e) => retried.Add(n));

        for (var i = 0; i < 5 && !run.IsCompleted; i++) { await Task.Yield(); time.Advance(TimeSpan.FromSeconds(1)); }
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(result.Success);
        Assert.Equal(3, attempts.Count);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)], attempts.Zip(attempts.Skip(1), (a, b) => b - a));
        Assert.Equal([2, 3], retried);
    }

    [Theory]
    [InlineData(ExchangeErrorKind.Rejected)]
    [InlineData(ExchangeErrorKind.InsufficientBalance)]
    [InlineData(ExchangeErrorKind.Unauthorized)]
    [InlineData(ExchangeErrorKind.Banned)]
    public async Task A_definite_failure_is_not_retried(ExchangeErrorKind kind)
    {
        var calls = 0;
        var result = await new OperationRetry(new FakeTimeProvider()).RunAsync(_ => { calls++; return Task.FromResult(Fail(kind)); }, CancellationToken.None);
        Assert.Equal((1, kind), (calls, result.Error!.Kind));
    }

    [Fact]
    public async Task Success_on_a_later_attempt_ends_the_retries_and_transport_exceptions_count_as_network_failures()
    {
        var time = new FakeTimeProvider();
        var calls = 0;
        var run = new OperationRetry(time).RunAsync<int>(_ =>
            ++calls == 1 ? throw new HttpRequestException("reset") : Task.FromResult(ExchangeResult<int>.Ok(42)), CancellationToken.None);
        for (var i = 0; i < 3 && !run.IsCompleted; i++) { await Task.Yield(); time.Advance(TimeSpan.FromSeconds(1)); }
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((2, 42), (calls, result.Data));
    }
}
