using Afml.Core.Exchange;
using Polly;
using Polly.Retry;

namespace Afml.Core.Risk;

/// <summary>
/// The seed's rule for any venue operation: up to <see cref="Attempts"/> attempts, <see cref="Delay"/> apart,
/// for failures that may pass (unknown outcome, network, rate limit, clock skew). A definite rejection is not
/// retried. A Polly retry pipeline over <see cref="ExchangeResult{T}"/> outcomes, timed by the
/// <see cref="TimeProvider"/>, so tests never sleep. Order retries are safe because every attempt reuses the same
/// client order id and the venue answers a known id with its first fill.
/// </summary>
/// <param name="exponential">Double the delay after each attempt (reads of state backed off within a candle)
/// instead of the seed's constant second.</param>
public sealed class OperationRetry(TimeProvider time, int attempts = 3, TimeSpan? delay = null, bool exponential = false)
{
    public int Attempts { get; } = attempts >= 1 ? attempts : throw new ArgumentOutOfRangeException(nameof(attempts));
    public TimeSpan Delay { get; } = delay ?? TimeSpan.FromSeconds(1);
    public bool Exponential { get; } = exponential;

    /// <summary>Reads of account and position state: 5 attempts backed off 0.5, 1, 2, 4 s (7.5 s in all), so a
    /// venue outage of a few seconds costs a late step, not a skipped one or an emergency.</summary>
    public static OperationRetry StateReads(TimeProvider time, TimeSpan? firstDelay = null) =>
        new(time, attempts: 5, delay: firstDelay ?? TimeSpan.FromMilliseconds(500), exponential: true);

    // One pipeline per result type, built at its first use: building one validates its options by reflection, which
    // cost more than the rest of a replay step when it was done on every call. The per-call onRetry rides in the
    // call's ResilienceContext.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Type, object> _pipelines = new();
    // In a class of its own: a static field of a Polly type here loaded Polly at every session's start, although only a
    // failed or pending attempt reaches the pipeline.
    private static class Keys
    {
        public static readonly ResiliencePropertyKey<Action<int, ExchangeError>?> OnRetry = new("afml.onRetry");
    }

    /// <param name="onRetry">Called before each new attempt with the attempt number (2..) and the last error.</param>
    public Task<ExchangeResult<T>> RunAsync<T>(
        Func<CancellationToken, Task<ExchangeResult<T>>> operation,
        CancellationToken ct,
        Action<int, ExchangeError>? onRetry = null)
    {
        // An operation that has already succeeded is its own answer: every call of a replay's simulated venue, most
        // of a live venue's. No state machine is started for it (a replay step makes two such calls): the async
        // methods below, generic over the result and compiled at run time, are not on a replay's path at all.
        var first = Start(operation, ct);
        if (first is { IsCompletedSuccessfully: true } && first.Result.Success) return first;
        return RetryAsync(first, operation, ct, onRetry);
    }

    /// <summary>The first attempt is still running or did not succeed: awaited as one attempt, then retried like any.</summary>
    private async Task<ExchangeResult<T>> RetryAsync<T>(
        Task<ExchangeResult<T>> firstAttempt,
        Func<CancellationToken, Task<ExchangeResult<T>>> operation,
        CancellationToken ct,
        Action<int, ExchangeError>? onRetry)
    {
        // The first attempt runs outside Polly: almost every call succeeds at once, and the pipeline's machinery cost
        // more than the call. A failure worth retrying is handed to the pipeline as its first outcome, so the
        // retries, their delays and onRetry are exactly the pipeline's.
        var first = await AttemptAsync(firstAttempt).ConfigureAwait(false);
        if (Attempts == 1 || first.Success || !IsRetriable(first.Error!.Kind)) return first;
        var pipeline = (ResiliencePipeline<ExchangeResult<T>>)_pipelines.GetOrAdd(typeof(ExchangeResult<T>), _ => Build<T>());
        var context = ResilienceContextPool.Shared.Get(ct);
        try
        {
            context.Properties.Set(Keys.OnRetry, onRetry);
            var attempts = 0;
            return await pipeline.ExecuteAsync(async (ctx, op) => ++attempts == 1 ? first : await AttemptAsync(Start(op, ctx.CancellationToken)).ConfigureAwait(false), context, operation).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private ResiliencePipeline<ExchangeResult<T>> Build<T>() =>
        new ResiliencePipelineBuilder<ExchangeResult<T>> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<ExchangeResult<T>>
            {
                MaxRetryAttempts = Attempts - 1,
                Delay = Delay,
                BackoffType = Exponential ? DelayBackoffType.Exponential : DelayBackoffType.Constant,
                UseJitter = false,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Success: false } r && IsRetriable(r.Error!.Kind)),
                OnRetry = args =>
                {
                    args.Context.Properties.GetValue(Keys.OnRetry, null)?.Invoke(args.AttemptNumber + 2, args.Outcome.Result!.Error!); // Polly counts retries from 0
                    return default;
                },
            })
            .Build();

    /// <summary>Starts one attempt; whatever the operation throws before returning its task is that attempt's
    /// outcome, as if thrown by the task (so <see cref="AttemptAsync"/> judges both alike).</summary>
    private static Task<ExchangeResult<T>> Start<T>(Func<CancellationToken, Task<ExchangeResult<T>>> operation, CancellationToken ct)
    {
        try
        {
            return operation(ct);
        }
        catch (Exception ex)
        {
            return Task.FromException<ExchangeResult<T>>(ex);
        }
    }

    /// <summary>One attempt's outcome; a transport exception is a network failure like any other (retriable), not a crash.</summary>
    private static async Task<ExchangeResult<T>> AttemptAsync<T>(Task<ExchangeResult<T>> attempt)
    {
        try
        {
            return await attempt.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException)
        {
            return ExchangeResult<T>.Fail(ExchangeErrorKind.Network, ex.Message);
        }
    }

    public static bool IsRetriable(ExchangeErrorKind kind) => kind is
        ExchangeErrorKind.Unknown or ExchangeErrorKind.Network or ExchangeErrorKind.RateLimited or ExchangeErrorKind.InvalidTimestamp;
}
