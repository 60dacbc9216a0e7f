using System.Globalization;
using System.Threading.Channels;
using Afml.Core.Exchange;
using Afml.Core.Portfolio;

namespace Afml.Core.Risk;

/// <summary>
/// The drawdown limit between candles (issue 10, layer 1): the book's equity valued at every mark price against the
/// session's running peak, with step B's formula (<see cref="TrainingPortfolio.MaxDrawdown"/>) and rule
/// (<see cref="DrawdownRule"/>). Crossing the limit raises one <see cref="VenueEventKind.DrawdownBreach"/> event, which the
/// loop's wait between candles hands over at once so the emergency protocol runs then, not at the next close. One
/// warning when 80 % of the limit is used, re-armed when the drawdown falls back below it.
/// </summary>
/// <remarks>The loop is the book's only actor: it hands the monitor a copy of what it needs (<see cref="Track"/>) after
/// every row, reconciliation and at start, on its own thread; marks arrive on the source's threads and only ever read
/// that copy. The peak is the book's (raised at closes only, as in training): a mark above it does not raise it, so
/// the monitor fires exactly where step B would if the candle closed at that mark.</remarks>
public sealed class DrawdownMonitor
{
    /// <summary>The fraction of the limit at which the warning is written.</summary>
    public const double WarningFraction = 0.8;

    private readonly DrawdownRule _rule;
    private readonly string _symbol;
    private readonly double _slippage;
    private readonly Action<string> _warn;
    private readonly Channel<VenueEvent> _breaches = Channel.CreateUnbounded<VenueEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly object _gate = new();
    private Tracked? _book;
    private bool _warned;
    private bool _fired;
    private MarkPrice? _lastMark;

    /// <param name="slippage">The config's slippage: what a close at the stop price costs in a replayed candle.</param>
    /// <param name="warn">Where the 80 % warning and the breach line go (the session's console).</param>
    public DrawdownMonitor(DrawdownRule rule, string symbol, double slippage, Action<string> warn)
    {
        _rule = rule;
        _symbol = symbol;
        _slippage = slippage;
        _warn = warn;
    }

    private sealed record Tracked(double Balance, OpenPosition? Position, double Peak);

    /// <summary>Breach events (at most one): the loop waits on them together with the candles.</summary>
    public ChannelReader<VenueEvent> Breaches => _breaches.Reader;

    /// <summary>The last mark seen (status: LastMarkPrice/LastMarkAt).</summary>
    public MarkPrice? LastMark => Volatile.Read(ref _lastMark);

    /// <summary>Marks evaluated while a position was open.</summary>
    public int MarksEvaluated { get; private set; }
    /// <summary>Times the limit was crossed on a mark (the first raises the event).</summary>
    public int LimitCrossings { get; private set; }
    /// <summary>Times the 80 % warning was written.</summary>
    public int Warnings { get; private set; }

    /// <summary>The book as the loop left it (balance, position, running peak). Called on the loop's thread.</summary>
    public void Track(TrainingPortfolio book)
    {
        lock (_gate) _book = new Tracked(book.Balance, book.Position, book.PeakEquity);
    }

    /// <summary>A breach the loop did not act on (the position it was raised for was closed by a step meanwhile): the
    /// next crossing raises one again.</summary>
    public void Rearm()
    {
        lock (_gate) _fired = false;
    }

    /// <summary>Listens to <paramref name="source"/> until <paramref name="ct"/> is cancelled.</summary>
    public Task WatchAsync(IMarkPriceSource source, CancellationToken ct) => source.RunAsync(OnMark, ct);

    /// <summary>One mark: equity, drawdown, warning, breach. Any thread.</summary>
    public void OnMark(MarkPrice mark)
    {
        if (!string.Equals(mark.Symbol, _symbol, StringComparison.OrdinalIgnoreCase) || !(mark.Price > 0) || !double.IsFinite(mark.Price)) return;
        Volatile.Write(ref _lastMark, mark);
        string? warning = null;
        lock (_gate)
        {
            if (_fired || _book is not { Position: { } position } book) return;
            MarksEvaluated++;
            var equity = book.Balance + position.Margin + position.UnrealizedPnl(mark.Price);
            var drawdown = book.Peak > 0 ? Math.Max(0.0, (book.Peak - equity) / book.Peak) : 0.0;
            if (_rule.Check(drawdown) is { } reason)
            {
                LimitCrossings++;
                _fired = true;
                var (price, how) = ClosePrice(book, position, mark);
                _breaches.Writer.TryWrite(new VenueEvent(mark.Time, VenueEventKind.DrawdownBreach, _symbol,
                    position.Side == PositionSide.Long ? OrderSide.Sell : OrderSide.Buy, position.Quantity, price, "", 0, 0, null, null, 0)
                {
                    Detail = I($"{reason} · monitor entre velas: precio de marca {mark.Price:R} a las {mark.Time:HH:mm:ss.fff}Z{how}"),
                });
                warning = I($"🚨 Límite de drawdown cruzado entre velas: {drawdown * 100:F2}% >= {_rule.MaxDrawdown * 100:F2}% con el precio de marca {mark.Price:R}");
            }
            else if (drawdown >= WarningFraction * _rule.MaxDrawdown)
            {
                if (!_warned)
                {
                    _warned = true;
                    Warnings++;
                    warning = I($"⚠️ Drawdown {drawdown * 100:F2}% con el precio de marca {mark.Price:R}: {drawdown / _rule.MaxDrawdown * 100:F0}% del límite {_rule.MaxDrawdown * 100:F2}% usado");
                }
            }
            else _warned = false; // fell back: the next approach warns again
        }
        if (warning is not null) _warn(warning);
    }

    /// <summary>A live mark is a sample: the close goes out at market now, at about the mark. A swept range (a replayed
    /// candle's high or low) passed through the stop price: closed there, or at the open when the candle opened beyond
    /// it (a gap), minus the slippage.</summary>
    private (double Price, string How) ClosePrice(Tracked book, OpenPosition position, MarkPrice mark)
    {
        if (mark.SweptFrom is not { } from) return (mark.Price, "");
        var stop = DrawdownStopPrice.Of(book.Balance, position, book.Peak, _rule.MaxDrawdown) ?? mark.Price;
        var gapped = position.Side == PositionSide.Long ? from <= stop : from >= stop;
        var at = gapped ? from : stop;
        var price = position.Side == PositionSide.Long ? at * (1 - _slippage) : at * (1 + _slippage);
        return (price, I($" · cierre simulado al precio de stop {stop:R}{(gapped ? $" (la vela abrió más allá: {from:R})" : "")} con slippage {_slippage:R}"));
    }

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
