using Afml.Core.Portfolio;
using Afml.Core.Recording;

namespace Afml.Core.Session;

/// <summary>
/// Keeps the session's status file (<see cref="SessionStatusFile"/>) as fresh as an operator can see, without
/// costing the loop a file rewrite per step: written on every state change, after a step when the last write is
/// <see cref="Interval"/> old, and by a heartbeat timer (also while the session waits for its next candle) whenever
/// nothing was written for an interval. A status is built from the last registro row, never from the loop's live
/// state, so the heartbeat thread reads nothing the loop is changing.
/// </summary>
public sealed class SessionStatusWriter : ISessionObserver, IDisposable
{
    private readonly SessionParts _parts;
    private readonly TimeProvider _time;
    private readonly Action<Exception> _onFault;
    private readonly Lock _gate = new(); // a Lock, not an object: taken every step, and by a timer or a watcher too, after which an object's header lock runs its slower sync-block path
    private readonly double _maxDrawdownAllowed;
    private SessionStatus _last;
    private RegistroRow? _row; // the last step's row, not yet folded into _last (a status is built only when written)
    private DateTimeOffset _writtenAt = DateTimeOffset.MinValue;
    private ITimer? _heartbeat;
    private bool _final;

    /// <param name="onFault">Where a heartbeat write that failed goes (the host ends the session through it).</param>
    public SessionStatusWriter(SessionParts parts, TimeProvider time, Action<Exception> onFault, TimeSpan? interval = null)
    {
        _parts = parts;
        _time = time;
        _onFault = onFault;
        Interval = interval ?? TimeSpan.FromSeconds(1);
        _maxDrawdownAllowed = parts.Config.Environment.MaxDrawdown;
        var now = time.GetUtcNow();
        _last = new SessionStatus
        {
            SessionId = parts.SessionId,
            TrainId = parts.Config.TrainId,
            Venue = parts.Exchange.Name,
            Symbol = parts.Config.Market.Symbol,
            ProcessId = Environment.ProcessId,
            State = SessionState.Starting.ToText(),
            TradingState = "ACTIVE",
            StartedAt = now,
            UpdatedAt = now,
            Balance = parts.Book.Balance,
            Equity = parts.Book.Balance,
            MaxDrawdownAllowed = _maxDrawdownAllowed,
            RegistroPath = parts.Registro.Path,
            EmergencyPath = parts.Emergencies.Path,
        };
    }

    public TimeSpan Interval { get; }

    /// <summary>The drawdown monitor's last mark (LastMarkPrice/LastMarkAt in every write); null: no monitor.</summary>
    public Func<Afml.Core.Exchange.MarkPrice?>? Marks { get; init; }

    /// <summary>Times the file was written (what the time basis saves is visible in tests and benchmarks).</summary>
    public int Writes { get; private set; }

    /// <summary>The status last written (or about to be).</summary>
    public SessionStatus Current { get { lock (_gate) return Fold(); } }

    /// <summary>The status with the last step's row in it (built here, when read or written, not at every step).</summary>
    private SessionStatus Fold()
    {
        if (_row is { } row) (_last, _row) = (FromRow(_last, row), null);
        return _last;
    }

    public void OnStateChanged(SessionState state, string? reason, SessionProgress progress)
    {
        var book = _parts.Book;
        var price = progress.LastPrice;
        var pos = book.Position;
        lock (_gate)
        {
            _last = Fold() with
            {
                State = state.ToText(),
                StopReason = reason,
                StartedAt = progress.StartedAt,
                TradingState = progress.TradingStateText,
                // The book as it is now (a position adopted at start, the emergency's close), not only the last row.
                Price = price,
                Equity = price > 0 ? book.Equity(price) : book.Balance,
                Balance = book.Balance,
                Drawdown = price > 0 ? book.MaxDrawdown(price) : 0,
                Position = pos?.Side.ToReferenceName(),
                PositionQuantity = pos?.Quantity ?? 0,
                Step = progress.Steps,
                LastCandle = progress.LastCandle,
                EmergencyState = progress.Emergency?.State,
                EmergencyOpen = progress.Emergency is { Complete: false } o ? o.StillOpen : null,
            };
            WriteLocked();
        }
        if (state == SessionState.Running) StartHeartbeat();
    }

    public void OnStep(StepRecorded step, SessionProgress progress)
    {
        lock (_gate)
        {
            _row = step.Row;
            if (_time.GetUtcNow() - _writtenAt >= Interval) WriteLocked();
        }
    }

    /// <summary>The last status the process writes: state and reason, whatever happened before. Never throws (the
    /// caller is ending a session); returns the error when the file could not be written.</summary>
    public Exception? WriteFinal(SessionState state, string? reason, SessionProgress? progress)
    {
        StopHeartbeat();
        try
        {
            if (progress is not null) OnStateChanged(state, reason, progress);
            else lock (_gate) { _last = Fold() with { State = state.ToText(), StopReason = reason }; WriteLocked(); }
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
        finally
        {
            lock (_gate) _final = true;
        }
    }

    private static SessionStatus FromRow(SessionStatus s, RegistroRow row) => s with
    {
        Step = row.Paso,
        LastCandle = row.OpenTime,
        Price = row.Precio,
        Equity = row.Equity,
        Balance = row.Balance,
        Drawdown = row.MaxDrawdown,
        Position = row.TipoPosicionActiva,
        PositionQuantity = row.CantidadActiva ?? 0,
        LastAction = double.IsFinite(row.Action) ? row.Action : s.LastAction, // an emergency row has no action
        LastOperation = row.Operacion,
        TradingState = row.EstadoTrading ?? s.TradingState,
    };

    /// <summary>The protective stop as the venue keeps it now, and the room left to it from the last price.</summary>
    private SessionStatus WithGuard(SessionStatus s) => _parts.Venue.ProtectiveStop is { } stop
        ? s with
        {
            ProtectiveStopPrice = stop.TriggerPrice,
            ProtectiveStopId = stop.AlgoId is { } algoId ? $"{stop.ClientAlgoId}/{algoId.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : stop.ClientAlgoId,
            ProtectiveStopDistancePct = s.Price > 0 ? Math.Abs(s.Price - (double)stop.TriggerPrice) / s.Price * 100 : null,
            ProtectiveStopProblem = _parts.Venue.ProtectiveStopProblem,
        }
        : s with { ProtectiveStopPrice = null, ProtectiveStopId = null, ProtectiveStopDistancePct = null, ProtectiveStopProblem = _parts.Venue.ProtectiveStopProblem };

    private void WriteLocked()
    {
        if (_final) return;
        var now = _time.GetUtcNow();
        _last = WithGuard(Fold() with { UpdatedAt = now });
        if (Marks?.Invoke() is { } mark) _last = _last with { LastMarkPrice = mark.Price, LastMarkAt = mark.Time.ToUniversalTime() };
        _parts.Status.Write(_last);
        _writtenAt = now;
        Writes++;
    }

    private void StartHeartbeat()
    {
        lock (_gate) _heartbeat ??= _time.CreateTimer(_ => Beat(), null, Interval, Interval);
    }

    private void Beat()
    {
        try
        {
            lock (_gate)
            {
                if (_final || _time.GetUtcNow() - _writtenAt < Interval) return;
                WriteLocked();
            }
        }
        catch (Exception ex)
        {
            StopHeartbeat();
            _onFault(ex);
        }
    }

    private void StopHeartbeat()
    {
        ITimer? t;
        lock (_gate) (t, _heartbeat) = (_heartbeat, null);
        t?.Dispose();
    }

    public void Dispose() => StopHeartbeat();
}
