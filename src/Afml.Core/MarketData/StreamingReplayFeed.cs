using System.Runtime.CompilerServices;

namespace Afml.Core.MarketData;

/// <summary>What a replay plays, as <see cref="ReplayCandleLoader.Plan"/> found it: candles [0, <see cref="First"/>) of
/// the gap-filled series are the warm-up history, [<see cref="First"/>, <see cref="End"/>) the decisions.</summary>
public sealed record ReplayPlan(string Path, CandleInterval Interval, long First, long End)
{
    public long DecisionCount => End - First;
}

/// <summary>
/// A replay that reads its candle file as it plays (the file was checked whole by <see cref="ReplayCandleLoader.Plan"/>
/// before the session started): the history is the candles before the first decision, then one candle at a time,
/// gaps filled on the fly as <see cref="ContinuityFiller"/> does. Nothing is kept but the reader's buffer and the
/// candle in hand, so memory does not grow with the file. Rows are checked again as they are read; a file changed
/// under a running replay ends it with the error.
/// </summary>
public sealed class StreamingReplayFeed(ReplayPlan plan) : IMarketFeed
{
    private CandleCsvReader.CandleFileReader? _reader;
    private ContinuityFiller? _filler;
    private readonly List<Candle> _pending = new(8);
    private int _pendingAt;
    private long _served; // candles of the filled series handed out (history + stream)

    public long DecisionCount => plan.DecisionCount;

    public Task<IReadOnlyList<Candle>> LoadHistoryAsync(CancellationToken ct)
    {
        var history = new List<Candle>((int)Math.Min(plan.First, 1 << 20));
        while (_served < plan.First && Next(out var c))
        {
            ct.ThrowIfCancellationRequested();
            history.Add(c);
        }
        return Task.FromResult<IReadOnlyList<Candle>>(history);
    }

    public async IAsyncEnumerable<Candle> StreamClosedCandlesAsync([EnumeratorCancellation] CancellationToken ct)
    {
        while (_served < plan.First && Next(out _)) { } // the history, when it was not asked for
        while (_served < plan.End)
        {
            ct.ThrowIfCancellationRequested();
            if (!Next(out var c)) break;
            yield return c;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private bool Next(out Candle candle)
    {
        if (_pendingAt == _pending.Count)
        {
            _reader ??= CandleCsvReader.Open(plan.Path);
            _filler ??= new ContinuityFiller(plan.Interval);
            if (!_reader.Next(out var raw))
            {
                candle = default;
                return false;
            }
            _pending.Clear();
            _pendingAt = 0;
            _filler.Push(raw, _pending);
        }
        candle = _pending[_pendingAt++];
        _served++;
        return true;
    }

    public ValueTask DisposeAsync()
    {
        _reader?.Dispose();
        _reader = null;
        return ValueTask.CompletedTask;
    }
}
