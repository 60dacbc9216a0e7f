using Afml.Core.Portfolio;

namespace Afml.Tests.Portfolio;

/// <summary>The book follows the venue when they disagree (live only): close, shrink, grow, adopt, flip.</summary>
public class ReconciliationTests
{
    private static readonly PortfolioSettings Settings = new(10000, 5, 0.001, 0.001);

    private static TrainingPortfolio LongBook(float pct, double price, out double quantity)
    {
        var book = new TrainingPortfolio(Settings);
        var plan = book.Plan(new TradeDecision(TradeIntent.OpenLong, pct, pct), price);
        book.Apply(plan, price, plan.Quantity);
        quantity = plan.Quantity;
        return book;
    }

    [Fact]
    public void Agreement_within_tolerance_changes_nothing()
    {
        var book = LongBook(0.5f, 100, out var q);
        var before = (book.Balance, book.Position);
        Assert.Null(book.Reconcile(q + 0.0004, 100, 101, tolerance: 0.0005));
        Assert.Equal(before, (book.Balance, book.Position));
        Assert.Null(new TrainingPortfolio(Settings).Reconcile(0.0001, 0, 100, tolerance: 0.0005));
    }

    [Fact]
    public void Venue_flat_closes_the_book_at_the_price_without_fees()
    {
        var book = LongBook(0.5f, 100, out var q);
        var margin = book.Position!.Margin;
        var balance = book.Balance;
        var record = book.Reconcile(0, 0, 90, 1e-9)!;

        Assert.Null(book.Position);
        Assert.Equal(balance + (90 - 100) * q + margin, book.Balance, 9);
        Assert.Equal(("reconciliacion", "reconciliacion", true), (record.Operation, record.ActionType, record.Success));
        Assert.Equal((90 - 100) * q, record.RealizedPnl!.Value, 9);
        Assert.Contains("libro long", record.Error);
        Assert.Contains("venue flat", record.Error);
    }

    [Fact]
    public void A_venue_events_fee_is_booked_with_the_close_or_the_reduction_it_caused()
    {
        var closed = LongBook(0.5f, 100, out var q);
        var (margin, balance, opened) = (closed.Position!.Margin, closed.Balance, closed.Position.Commission);
        var record = closed.Reconcile(0, 0, 90, 1e-9, commission: 0.37)!;
        Assert.Equal(balance + (90 - 100) * q + margin - 0.37, closed.Balance, 9);
        Assert.Equal(opened + 0.37, record.Commission!.Value, 9);
        Assert.Equal((90 - 100) * q, record.RealizedPnl!.Value, 9); // the PnL stays the price's; the fee is apart, as Binance's realizedPnl

        var reduced = LongBook(0.5f, 100, out q);
        balance = reduced.Balance;
        var cut = reduced.Reconcile(q / 2, 100, 110, 1e-9, commission: 0.2)!;
        Assert.Equal(0.2, cut.Commission!.Value, 12);
        Assert.Equal(balance + 10 * (q / 2) + cut.ReleasedMargin!.Value - 0.2, reduced.Balance, 9);
    }

    [Fact]
    public void Smaller_venue_position_is_booked_as_a_reduction_scaling_pct()
    {
        var book = LongBook(0.5f, 100, out var q);
        var record = book.Reconcile(q / 2, 100, 110, 1e-9)!;

        Assert.Equal(q / 2, book.Position!.Quantity, 12);
        Assert.Equal(0.25f, book.Position.Pct, 6);
        Assert.Equal(10 * (q - q / 2), record.PartialPnl!.Value, 9);
        Assert.Equal(0, record.Commission);
    }

    [Fact]
    public void Larger_venue_position_grows_the_book_at_the_price()
    {
        var book = LongBook(0.25f, 100, out var q);
        var balance = book.Balance;
        book.Reconcile(2 * q, 100, 120, 1e-9);

        var p = book.Position!;
        Assert.Equal(2 * q, p.Quantity, 12);
        Assert.Equal(110, p.EntryPrice, 9);
        Assert.Equal(0.5f, p.Pct, 6);
        Assert.Equal(balance - 120 * q / 5, book.Balance, 9);
    }

    [Fact]
    public void A_position_the_book_did_not_open_is_adopted_at_the_venue_entry()
    {
        var book = new TrainingPortfolio(Settings);
        var record = book.Reconcile(-2, 100, 100, 1e-9)!;

        var p = book.Position!;
        Assert.Equal((PositionSide.Short, 2.0, 100.0), (p.Side, p.Quantity, p.EntryPrice));
        Assert.Equal(200.0 / (10000 * 5), p.Pct, 6);
        Assert.Equal(10000 - 200.0 / 5, book.Balance, 9);
        Assert.Equal(1, record.TradeId);
        Assert.Equal(2, book.NextTradeId);
    }

    [Fact]
    public void Opposite_venue_side_closes_then_adopts()
    {
        var book = LongBook(0.5f, 100, out var q);
        var record = book.Reconcile(-1, 105, 105, 1e-9)!;

        Assert.Equal(PositionSide.Short, book.Position!.Side);
        Assert.Equal(2, book.Position.TradeId);
        Assert.Equal(5 * q, record.RealizedPnl!.Value, 9);
        Assert.Equal(5 * q, book.PnlTotal, 9);
    }

    [Fact]
    public void Plans_made_before_a_reconciliation_are_stale()
    {
        var book = LongBook(0.5f, 100, out var q);
        var plan = book.Plan(new TradeDecision(TradeIntent.CloseLong, 0.5f, -0.5f), 100);
        book.Reconcile(q / 2, 100, 100, 1e-9);
        Assert.Throws<InvalidOperationException>(() => book.Apply(plan, 100, plan.Quantity));
    }

    [Fact]
    public void Venue_commission_replaces_the_training_rates_on_every_fill_closes_included()
    {
        var book = new TrainingPortfolio(Settings);
        var open = book.Plan(new TradeDecision(TradeIntent.OpenLong, 0.5f, 0.5f), 100);
        var rec = book.Apply(open, 100, open.Quantity, FillCost.Venue(1.5));
        Assert.Equal(10000 - 100 * open.Quantity / 5 - 1.5, book.Balance, 9);
        Assert.Equal((1.5, 0.0), (rec.Commission!.Value, book.Position!.Slippage));

        var balance = book.Balance;
        var margin = book.Position.Margin;
        var close = book.Plan(new TradeDecision(TradeIntent.CloseLong, 0.5f, -0.5f), 110);
        var closed = book.Apply(close, 110, close.Quantity, FillCost.Venue(2));
        Assert.Equal(balance + 10 * open.Quantity + margin - 2, book.Balance, 9);
        Assert.Equal(3.5, closed.Commission!.Value, 12);
    }

    [Fact]
    public void A_close_filled_for_the_venues_exact_decimal_quantity_closes_the_double_sum_of_fills()
    {
        var book = new TrainingPortfolio(Settings);
        var open = book.Plan(new TradeDecision(TradeIntent.OpenLong, 0.1f, 0.1f), 100);
        book.Apply(open, 100, 0.1, FillCost.Venue(0));
        var more = book.Plan(new TradeDecision(TradeIntent.ModifyLong, 0.3f, 0.3f), 100);
        book.Apply(more, 100, 0.2, FillCost.Venue(0));
        Assert.Equal(0.30000000000000004, book.Position!.Quantity); // 0.1 + 0.2 in double

        var close = book.Plan(new TradeDecision(TradeIntent.CloseLong, 0.5f, -0.5f), 100);
        var record = book.Apply(close, 100, 0.3, FillCost.Venue(0)); // the venue filled "0.3"
        Assert.Equal("cierre_completo", record.Operation);
        Assert.Null(book.Position);
    }
}
