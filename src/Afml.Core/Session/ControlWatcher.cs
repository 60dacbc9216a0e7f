namespace Afml.Core.Session;

/// <summary>
/// Watches a session's control file (see <see cref="SessionControl"/>) so that a request from another shell is acted
/// on within a poll interval, not at the next candle, which on a 1h interval may be an hour away. It only reads the
/// file and signals: <see cref="Token"/> is cancelled when a request arrives, so the session's wait for the next
/// candle ends and the session loop, its only actor, runs the request.
/// </summary>
public sealed class ControlWatcher : IDisposable
{
    private readonly string _statusPath;
    private readonly CancellationTokenSource _arrived = new();
    private readonly ITimer _timer;
    private readonly Lock _gate = new(); // Poll's: the timer's and the session's first step (Pending reads without it)
    private readonly Action<ControlRequest>? _ignored;
    private volatile ControlRequest? _pending; // set once, under the gate; read by the loop at every step without it

    /// <param name="ignored">Told of a request whose command the session does not know: it is taken from the file
    /// and dropped, never acted on and never an end.</param>
    public ControlWatcher(string statusPath, TimeProvider time, TimeSpan? interval = null, Action<ControlRequest>? ignored = null)
    {
        _statusPath = statusPath;
        _ignored = ignored;
        var every = interval ?? TimeSpan.FromSeconds(1);
        _timer = time.CreateTimer(_ => Poll(), null, every, every);
    }

    /// <summary>Cancelled once a request has arrived.</summary>
    public CancellationToken Token => _arrived.Token;

    /// <summary>The request taken from the file, if any (it stays pending: a session runs it once and stops).</summary>
    public ControlRequest? Pending => _pending;

    /// <summary>Takes a request from the file now (the session calls it before its first step, so a request written
    /// before the start is acted on at once; then the timer does, and each step reads <see cref="Pending"/>).</summary>
    public ControlRequest? Poll()
    {
        lock (_gate)
        {
            if (_pending is null && SessionControl.Take(_statusPath) is { } request)
            {
                if (SessionStateText.ParseCommand(request.Command) is null)
                {
                    _ignored?.Invoke(request);
                    return null;
                }
                _pending = request;
                _arrived.Cancel();
            }
            return _pending;
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _arrived.Dispose();
    }
}
