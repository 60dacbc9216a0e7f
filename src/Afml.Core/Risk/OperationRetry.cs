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

    /// <param name="onRetry">Called before each new attempt with the attempt number (2..) and the last error.</param>
    public async Task<ExchangeResult<T>> RunAsync<T>(
        Func<CancellationToken, Task<ExchangeResult<T>>> operation,
        CancellationToken ct,
        Action<int, ExchangeError>? onRetry = null)
    {
        // The first attempt runs on its own: building the retry pipeline (options validation included) costs tens of
        // µs, which a live step would otherwise spend between a candle's close and its order. Only a retriable
        // failure builds it, for the attempts left, with the same waits (d, then 2d, 4d… or d, d…) and numbering.
        var first = await AttemptAsync(operation, ct).ConfigureAwait(false);
        if (Attempts == 1 || first.Success || !IsRetriable(first.Error!.Kind)) return first;
        onRetry?.Invoke(2, first.Error!);
        await Task.Delay(Delay, time, ct).ConfigureAwait(false);
        if (Attempts == 2) return await AttemptAsync(operation, ct).ConfigureAwait(false);
        var pipeline = new ResiliencePipelineBuilder<ExchangeResult<T>> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<ExchangeResult<T>>
            {
                MaxRetryAttempts = Attempts - 2,
                Delay = Exponential ? Delay * 2 : Delay,
                BackoffType = Exponential ? DelayBackoffType.Exponential : DelayBackoffType.Constant,
                UseJitter = false,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Success: false } r && IsRetriable(r.Error!.Kind)),
                OnRetry = args =>
                {
                    onRetry?.Invoke(args.AttemptNumber + 3, args.Outcome.Result.Error!); // Polly counts retries from 0; two attempts made
                    return default;
                },
            })
            .Build();
        return await pipeline.ExecuteAsync(async token => await AttemptAsync(operation, token).ConfigureAwait(false), ct).ConfigureAwait(false);
    }

    /// <summary>One attempt; a transport exception is a network failure like any other (retriable), not a crash.</summary>
    private static async Task<ExchangeResult<T>> AttemptAsync<T>(Func<CancellationToken, Task<ExchangeResult<T>>> operation, CancellationToken ct)
    {
        try
        {
            return await operation(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException)
        {
            return ExchangeResult<T>.Fail(ExchangeErrorKind.Network, ex.Message);
        }
    }

    public static bool IsRetriable(ExchangeErrorKind kind) => kind is
        ExchangeErrorKind.Unknown or ExchangeErrorKind.Network or ExchangeErrorKind.RateLimited or ExchangeErrorKind.InvalidTimestamp;
}
