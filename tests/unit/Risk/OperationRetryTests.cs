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
    [Fact]
    public void An_operation_that_has_already_succeeded_is_returned_as_it_is_without_the_retry_machinery()
    {
        var done = Task.FromResult(ExchangeResult<int>.Ok(7));
        var retried = false;
        var run = new OperationRetry(new FakeTimeProvider()).RunAsync(_ => done, CancellationToken.None, (_, _) => retried = true);
        Assert.Same(done, run); // no state machine, no pipeline: the operation's own task
        Assert.False(retried);
    }

    [Fact]
    public async Task A_pending_operation_is_awaited_and_a_failure_it_ends_with_is_retried_one_second_later()
    {
        var time = new FakeTimeProvider();
        var answers = new List<TaskCompletionSource<ExchangeResult<int>>>();
        var run = new OperationRetry(time).RunAsync(_ =>
        {
            var answer = new TaskCompletionSource<ExchangeResult<int>>(TaskCreationOptions.RunContinuationsAsynchronously);
            answers.Add(answer);
            return answer.Task;
        }, CancellationToken.None);

        Assert.False(run.IsCompleted);
        answers[0].SetResult(Fail(ExchangeErrorKind.Network)); // the first attempt ends later, with a failure that may pass
        for (var i = 0; i < 50 && answers.Count < 2; i++) { await Task.Delay(10); time.Advance(TimeSpan.FromMilliseconds(500)); }
        Assert.Equal(2, answers.Count);
        answers[1].SetResult(ExchangeResult<int>.Ok(5));
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(5, result.Data);
    }

    [Fact]
    public async Task A_pending_operation_that_succeeds_is_not_retried()
    {
        var calls = 0;
        var answer = new TaskCompletionSource<ExchangeResult<int>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = new OperationRetry(new FakeTimeProvider()).RunAsync(_ => { calls++; return answer.Task; }, CancellationToken.None);
        answer.SetResult(ExchangeResult<int>.Ok(3));
        Assert.Equal((1, 3), (calls, (await run.WaitAsync(TimeSpan.FromSeconds(10))).Data));
    }

    [Fact]
    public async Task An_exception_the_operation_throws_before_returning_its_task_fails_the_run_as_a_fault_not_synchronously()
    {
        var calls = 0;
        var run = new OperationRetry(new FakeTimeProvider()).RunAsync<int>(_ => { calls++; throw new InvalidOperationException("bug"); }, CancellationToken.None);
        Assert.True(run.IsFaulted); // the caller's await sees it, as with any async method; not a venue failure, so not retried
        await Assert.ThrowsAsync<InvalidOperationException>(() => run);
        Assert.Equal(1, calls);
    }
}
