namespace Afml.Core.Exchange.Binance;

/// <summary>
/// Who uses one exchange's REST connection now. The session's own calls (a step's order → fill sequence, its reads,
/// its stop upkeep) are the foreground and have priority: any number may run together, each waits at most for the one
/// background request in flight. Background work (the user-data stream's re-read after a reconnect, the clock's and
/// the conversion prices' refreshes) takes a turn per request, only while no foreground call runs or waits, so its
/// requests never interleave with a step's and never add a burst of weight to it.
/// </summary>
public sealed class BinanceRestTurns
{
    private readonly object _gate = new();
    private int _foreground;
    private bool _backgroundBusy;
    private TaskCompletionSource _foregroundIdle = Done();
    private TaskCompletionSource _backgroundIdle = Done();

    /// <summary>Background turns taken, and how many of them had to wait for the foreground (diagnostics and tests).</summary>
    public int BackgroundTurns { get; private set; }
    public int BackgroundYields { get; private set; }

    /// <summary>A foreground scope: waits only for a background request already in flight. Nested scopes are fine.</summary>
    public async ValueTask<IDisposable> ForegroundAsync(CancellationToken ct)
    {
        Task wait;
        lock (_gate)
        {
            if (_foreground++ == 0) _foregroundIdle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = _backgroundBusy ? _backgroundIdle.Task : Task.CompletedTask;
        }
        try
        {
            await wait.WaitAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            LeaveForeground();
            throw;
        }
        return new Turn(LeaveForeground);
    }

    /// <summary>One background request's turn: taken once no foreground call runs or waits and no other background
    /// request is in flight.</summary>
    public async ValueTask<IDisposable> BackgroundAsync(CancellationToken ct)
    {
        var yielded = false;
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_foreground == 0 && !_backgroundBusy)
                {
                    _backgroundBusy = true;
                    _backgroundIdle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    BackgroundTurns++;
                    if (yielded) BackgroundYields++;
                    return new Turn(LeaveBackground);
                }
                yielded |= _foreground > 0;
                wait = _foreground > 0 ? _foregroundIdle.Task : _backgroundIdle.Task;
            }
            await wait.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="call"/> in one background turn.</summary>
    public async Task<T> InBackgroundAsync<T>(Func<Task<T>> call, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(call);
        using (await BackgroundAsync(ct).ConfigureAwait(false)) return await call().ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="call"/> in a foreground scope.</summary>
    public async Task<T> InForegroundAsync<T>(Func<Task<T>> call, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(call);
        using (await ForegroundAsync(ct).ConfigureAwait(false)) return await call().ConfigureAwait(false);
    }

    private void LeaveForeground()
    {
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            if (--_foreground == 0) idle = _foregroundIdle;
        }
        idle?.TrySetResult();
    }

    private void LeaveBackground()
    {
        TaskCompletionSource idle;
        lock (_gate)
        {
            _backgroundBusy = false;
            idle = _backgroundIdle;
        }
        idle.TrySetResult();
    }

    private static TaskCompletionSource Done()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.TrySetResult();
        return done;
    }

    private sealed class Turn(Action leave) : IDisposable
    {
        private int _left;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0) leave();
        }
    }
}
