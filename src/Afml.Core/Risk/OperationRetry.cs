using Afml.Core.Exchange;

namespace Afml.Core.Risk;

/// <summary>
/// The seed's rule for any venue operation: up to <see cref="Attempts"/> attempts, <see cref="Delay"/> apart,
/// for failures that may pass (unknown outcome, network, rate limit, clock skew). A definite rejection is not
/// retried. Waiting goes through the <see cref="TimeProvider"/>, so tests never sleep. Order retries are safe
/// because every attempt reuses the same client order id and the venue answers a known id with its first fill.
/// </summary>
public sealed class OperationRetry(TimeProvider time, int attempts = 3, TimeSpan? delay = null)
{
    public int Attempts { get; } = attempts >= 1 ? attempts : throw new ArgumentOutOfRangeException(nameof(attempts));
    public TimeSpan Delay { get; } = delay ?? TimeSpan.FromSeconds(1);

    /// <param name="onRetry">Called before each new attempt with the attempt number (2..) and the last error.</param>
    public async Task<ExchangeResult<T>> RunAsync<T>(
        Func<CancellationToken, Task<ExchangeResult<T>>> operation,
        CancellationToken ct,
        Action<int, ExchangeError>? onRetry = null)
    {
        ExchangeResult<T> result = default;
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            if (attempt > 1)
            {
                onRetry?.Invoke(attempt, result.Error!);
                await Task.Delay(Delay, time, ct).ConfigureAwait(false);
            }
            try
            {
                result = await operation(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException)
            {
                result = ExchangeResult<T>.Fail(ExchangeErrorKind.Network, ex.Message);
            }
            if (result.Success || !IsRetriable(result.Error!.Kind)) return result;
        }
        return result;
    }

    public static bool IsRetriable(ExchangeErrorKind kind) => kind is
        ExchangeErrorKind.Unknown or ExchangeErrorKind.Network or ExchangeErrorKind.RateLimited or ExchangeErrorKind.InvalidTimestamp;
}
