using Afml.Core.Exchange;
using Afml.Core.Portfolio;
using Afml.Core.Risk;

namespace Afml.Tests.Risk;

/// <summary>The monitor's arithmetic and its one-shot behaviour, on a book built by the training portfolio itself.</summary>
public class DrawdownMonitorTests
{
    private const double Limit = 0.2;
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    private static TrainingPortfolio LongBook(double price = 100)
    {
        var book = new TrainingPortfolio(new PortfolioSettings(10_000, 5, 0.001, 0.001));
        var plan = book.Plan(new TradeDecision(TradeIntent.OpenLong, 1f, 1f), price);
        book.Apply(plan, price, plan.Quantity);
        book.MaxDrawdown(price); // the step's query: the peak as step B leaves it
        return book;
    }

    private static (DrawdownMonitor Monitor, List<string> Lines) Monitor(TrainingPortfolio book)
    {
        var lines = new List<string>();
        var m = new DrawdownMonitor(new DrawdownRule(Limit), "BTCUSDT", 0.001, lines.Add);
        m.Track(book);
        return (m, lines);
    }

    [Fact]
    public void The_stop_price_is_where_step_Bs_drawdown_reaches_the_limit()
    {
        var book = LongBook();
        var stop = DrawdownStopPrice.Of(book.Balance, book.Position, book.PeakEquity, Limit)!.Value;
        Assert.Equal(Limit, (book.PeakEquity - book.Equity(stop)) / book.PeakEquity, 9);
        Assert.True(stop < 100);
        Assert.Null(DrawdownStopPrice.Of(book.Balance, null, book.PeakEquity, Limit));
    }

    [Fact]
    public void A_mark_through_the_limit_raises_one_breach_at_the_mark_and_later_marks_do_nothing()
    {
        var book = LongBook();
        var (m, lines) = Monitor(book);
        var stop = DrawdownStopPrice.Of(book.Balance, book.Position, book.PeakEquity, Limit)!.Value;
        m.OnMark(new MarkPrice("BTCUSDT", stop * 1.01, T0));
        Assert.False(m.Breaches.TryRead(out _));
        m.OnMark(new MarkPrice("BTCUSDT", stop * 0.99, T0.AddSeconds(1)));
        m.OnMark(new MarkPrice("BTCUSDT", stop * 0.98, T0.AddSeconds(2)));
        Assert.True(m.Breaches.TryRead(out var breach));
        Assert.False(m.Breaches.TryRead(out _));
        Assert.Equal(VenueEventKind.DrawdownBreach, breach!.Kind);
        Assert.Equal(stop * 0.99, breach.Price, 9); // a live mark is a sample: closed at market, about the mark
        Assert.Equal(T0.AddSeconds(1), breach.Time);
        Assert.Equal(OrderSide.Sell, breach.Side);
        Assert.Contains("max_drawdown_excedido", breach.Detail!, StringComparison.Ordinal);
        Assert.Equal(1, m.LimitCrossings);
        Assert.Equal(stop * 0.98, m.LastMark!.Price); // still tracked for the status
    }

    [Fact]
    public void A_breach_not_acted_on_is_raised_again_after_rearm()
    {
        var book = LongBook();
        var (m, _) = Monitor(book);
        var stop = DrawdownStopPrice.Of(book.Balance, book.Position, book.PeakEquity, Limit)!.Value;
        m.OnMark(new MarkPrice("BTCUSDT", stop * 0.99, T0));
        m.OnMark(new MarkPrice("BTCUSDT", stop * 0.98, T0));
        Assert.True(m.Breaches.TryRead(out _));
        Assert.False(m.Breaches.TryRead(out _));
        m.Rearm();
        m.OnMark(new MarkPrice("BTCUSDT", stop * 0.97, T0));
        Assert.True(m.Breaches.TryRead(out _));
        Assert.Equal(2, m.LimitCrossings);
    }

    [Fact]
    public void The_80_percent_warning_is_written_once_and_again_only_after_falling_back()
    {
        var book = LongBook();
        var (m, lines) = Monitor(book);
        double At(double f) => DrawdownStopPrice.Of(book.Balance, book.Position, book.PeakEquity, Limit * f)!.Value;
        m.OnMark(new MarkPrice("BTCUSDT", At(0.85), T0));
        m.OnMark(new MarkPrice("BTCUSDT", At(0.9), T0));
        m.OnMark(new MarkPrice("BTCUSDT", At(0.95), T0));
        Assert.Single(lines);
        Assert.Contains("del límite", lines[0], StringComparison.Ordinal);
        m.OnMark(new MarkPrice("BTCUSDT", At(0.5), T0)); // fell back: re-armed
        m.OnMark(new MarkPrice("BTCUSDT", At(0.82), T0));
        Assert.Equal(2, lines.Count);
        Assert.Equal(2, m.Warnings);
        Assert.False(m.Breaches.TryRead(out _));
    }

    [Fact]
    public void Flat_another_symbol_or_a_bad_price_is_never_a_breach()
    {
        var flat = new TrainingPortfolio(new PortfolioSettings(10_000, 5, 0.001, 0.001));
        var (m, lines) = Monitor(flat);
        m.OnMark(new MarkPrice("BTCUSDT", 1, T0));
        var (m2, _) = Monitor(LongBook());
        m2.OnMark(new MarkPrice("ETHUSDT", 1, T0));
        m2.OnMark(new MarkPrice("BTCUSDT", double.NaN, T0));
        m2.OnMark(new MarkPrice("BTCUSDT", -5, T0));
        Assert.False(m.Breaches.TryRead(out _));
        Assert.False(m2.Breaches.TryRead(out _));
        Assert.Empty(lines);
        Assert.Null(m2.LastMark);
    }

    [Fact]
    public void A_swept_range_closes_at_the_stop_price_with_slippage_or_at_the_open_after_a_gap()
    {
        var book = LongBook();
        var stop = DrawdownStopPrice.Of(book.Balance, book.Position, book.PeakEquity, Limit)!.Value;
        var (m, _) = Monitor(book);
        m.OnMark(new MarkPrice("BTCUSDT", stop * 0.9, T0, SweptFrom: 100));
        Assert.True(m.Breaches.TryRead(out var through));
        Assert.Equal(stop * (1 - 0.001), through!.Price, 9);

        var (gap, _) = Monitor(book);
        gap.OnMark(new MarkPrice("BTCUSDT", stop * 0.9, T0, SweptFrom: stop * 0.95));
        Assert.True(gap.Breaches.TryRead(out var gapped));
        Assert.Equal(stop * 0.95 * (1 - 0.001), gapped!.Price, 9);
    }
}
