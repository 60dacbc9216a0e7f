namespace Afml.Tests.Exchange.Binance;

/// <summary>A clock that moves only when told; timers fire as it passes them. <see cref="Drive{T}"/> runs an
/// operation and jumps the clock to each timer it waits on, so retries, back-offs and timeouts take no real time.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<Timer> _timers = [];
    private DateTimeOffset _now = start;

    public ManualClock() : this(new DateTimeOffset(2026, 12, 2, 4, 0, 10, TimeSpan.Zero)) { }

    public override DateTimeOffset GetUtcNow() { lock (_gate) return _now; }
    public override long GetTimestamp() { lock (_gate) return _now.UtcTicks; }
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var t = new Timer(this, callback, state);
        t.Change(dueTime, period);
        return t;
    }

    public int PendingTimers { get { lock (_gate) return _timers.Count; } }

    public DateTimeOffset? NextDue { get { lock (_gate) return _timers.Count == 0 ? null : _timers.Min(t => t.Due); } }

    public void Advance(TimeSpan by)
    {
        var target = GetUtcNow() + by;
        while (true)
        {
            Timer? due;
            lock (_gate)
            {
                due = _timers.Where(t => t.Due <= target).OrderBy(t => t.Due).FirstOrDefault();
                if (due is null) { _now = target; return; }
                if (due.Due > _now) _now = due.Due;
                _timers.Remove(due);
                if (due.Period > TimeSpan.Zero) { due.Due = _now + due.Period; _timers.Add(due); }
            }
            due.Fire();
        }
    }

    /// <summary>Runs <paramref name="operation"/>; whenever it is idle and waiting on a timer, jumps to that timer.</summary>
    public async Task<T> Drive<T>(Func<Task<T>> operation, int maxJumps = 2000)
    {
        var task = Task.Run(operation);
        for (var i = 0; i < maxJumps && !task.IsCompleted; i++)
        {
            await Task.WhenAny(task, Task.Delay(5)).ConfigureAwait(false);
            if (task.IsCompleted) break;
            if (NextDue is { } next) Advance(next > GetUtcNow() ? next - GetUtcNow() : TimeSpan.Zero);
        }
        if (!task.IsCompleted) throw new TimeoutException("the operation did not finish within the allowed clock jumps");
        return await task.ConfigureAwait(false);
    }

    public Task Drive(Func<Task> operation, int maxJumps = 2000) => Drive(async () => { await operation().ConfigureAwait(false); return 0; }, maxJumps);

    private sealed class Timer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset Due;
        public TimeSpan Period;

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan) return true;
                Due = clock._now + dueTime;
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
                clock._timers.Add(this);
            }
            return true;
        }

        public void Dispose() { lock (clock._gate) clock._timers.Remove(this); }
        public ValueTask DisposeAsync() { Dispose(); return ValueTask.CompletedTask; }
    }
}
