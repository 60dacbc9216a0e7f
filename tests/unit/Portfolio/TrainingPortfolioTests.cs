using Afml.Core.Exchange;
using Afml.Core.Portfolio;

namespace Afml.Tests.Portfolio;

public class TrainingPortfolioTests
{
    private const double Lev = 5, Fee = 0.001, Slip = 0.001;
    private static readonly PortfolioSettings Settings = new(10000, Lev, Fee, Slip);

    private static TradeDecision Decide(TradeIntent intent, float pct) => new(intent, pct, pct);

    private static TrainingPortfolio OpenLong(float pct, double price)
    {
        var book = new TrainingPortfolio(Settings);
        book.Execute(Decide(TradeIntent.OpenLong, pct), price);
        return book;
    }

    [Fact]
    public void Open_sizes_from_equity_and_locks_margin_plus_fees()
    {
        var book = new TrainingPortfolio(Settings);
        var plan = book.Plan(Decide(TradeIntent.OpenLong, 0.5f), 100);

        Assert.Equal((BookStep.Open, OrderSide.Buy, false), (plan.Step, plan.Side!.Value, plan.ReduceOnly));
        Assert.Equal(10000 * Lev * 0.5f / 100, plan.Quantity);

        var record = book.Apply(plan, 100, plan.Quantity);
        var q = plan.Quantity;
        Assert.Equal(("abrir_long", "long", true, "long"), (record.Operation, record.ActionType, record.Success, record.PositionType));
        Assert.Equal(1, record.TradeId);
        Assert.Equal(0, record.CandlesOpen);
        Assert.Equal(100 * q / Lev, record.Margin);
        Assert.Equal(100 * q * Fee, record.Commission);
        Assert.Equal(10000 - (100 * q / Lev + 100 * q * Fee + 100 * q * Slip), book.Balance);
        Assert.Equal(new OpenPosition(1, PositionSide.Long, 100, q, 0.5f, 0, 100 * q / Lev, 100 * q * Fee, 100 * q * Slip), book.Position);
        Assert.Equal(0, book.OperationsTotal);
    }

    [Fact]
    public void Short_open_sells()
    {
        var plan = new TrainingPortfolio(Settings).Plan(Decide(TradeIntent.OpenShort, 0.3f), 100);
        Assert.Equal(OrderSide.Sell, plan.Side);
    }

    [Fact]
    public void Open_whose_cost_exceeds_the_balance_is_cut_by_the_0_999_cap()
    {
        var book = new TrainingPortfolio(Settings);
        var plan = book.Plan(Decide(TradeIntent.OpenLong, 1f), 100);

        var target = 10000 * Lev * 1f / 100;
        var estimated = 100 * target / Lev + 100 * target * Fee + 100 * target * Slip;
        Assert.True(estimated > 10000);
        Assert.Equal(target * (10000 / estimated * 0.999), plan.Quantity);

        book.Apply(plan, 100, plan.Quantity);
        Assert.Equal(10, book.Balance, 1e-9); // 0.1 % of the balance stays free
    }

    [Theory]
    [InlineData(0.99f, 17224.150390625)]
    [InlineData(1f, 17224.150390625)]
    [InlineData(1f, 0.0001)]
    [InlineData(0.995f, 123456.78)]
    public void Capped_open_is_always_affordable_so_insufficient_capital_cannot_happen_with_a_positive_balance(float pct, double price)
    {
        // The reference refuses an open whose cost exceeds the balance ("insuficiente_capital"), but the 0.999 cap
        // sizes every open to ~99.9 % of the balance first: with a positive balance that refusal is unreachable.
        var book = new TrainingPortfolio(Settings);
        var record = book.Execute(Decide(TradeIntent.OpenLong, pct), price);
        Assert.True(record.Success);
        Assert.True(book.Balance > 0);
    }

    [Fact]
    public void Open_is_refused_when_the_equity_cannot_fund_it()
    {
        var book = OpenLong(1f, 100);
        book.Execute(Decide(TradeIntent.CloseLong, 0.5f), 70); // 5× leverage, −30 %: the account is bankrupt
        Assert.True(book.Balance < 0);
        var (balance, nextId) = (book.Balance, book.NextTradeId);

        var plan = book.Plan(Decide(TradeIntent.OpenLong, 0.5f), 70);

        Assert.False(plan.HasOrder);
        var record = plan.Record!;
        Assert.Equal(("long", "abrir_posicion", false), (record.ActionType, record.Operation, record.Success));
        Assert.StartsWith("calculo_cantidad_invalido: Cantidad calculada inválida: -", record.Error);
        Assert.Same(record, book.Apply(plan, 70, 0));
        Assert.Equal((balance, nextId), (book.Balance, book.NextTradeId));
        Assert.Null(book.Position);
    }

    [Fact]
    public void Modify_to_the_same_pct_is_mantener_with_resultado_true_and_no_order()
    {
        var book = OpenLong(0.4f, 100);
        var before = (book.Balance, book.Position);

        var plan = book.Plan(Decide(TradeIntent.ModifyLong, 0.4f), 120);
        var record = book.Apply(plan, 120, 0);

        Assert.False(plan.HasOrder);
        Assert.Equal(new OperationRecord { ActionType = "mantener", Operation = "mantener", Success = true }, record);
        Assert.Equal(before, (book.Balance, book.Position));
    }

    [Fact]
    public void Increase_sizes_from_the_free_balance_and_averages_the_entry()
    {
        var book = OpenLong(0.4f, 100);
        var (balance, old) = (book.Balance, book.Position!);

        var plan = book.Plan(Decide(TradeIntent.ModifyLong, 0.65f), 110);
        var delta = 0.65f - 0.4f;
        var added = balance * Lev * delta / 110;
        Assert.Equal((BookStep.Increase, OrderSide.Buy, false, delta), (plan.Step, plan.Side!.Value, plan.ReduceOnly, plan.Pct));
        Assert.Equal(added, plan.Quantity);

        var record = book.Apply(plan, 110, plan.Quantity);
        var total = old.Quantity + added;
        var entry = (100 * old.Quantity + 110 * added) / total;
        Assert.Equal(("aumento_posicion", "long", true), (record.Operation, record.ActionType, record.Success));
        Assert.Equal((entry, added, total, total, (double)delta), (record.EntryPrice!.Value, record.AddedQuantity!.Value,
            record.TotalQuantity!.Value, record.Quantity!.Value, record.InvestmentPct!.Value));
        Assert.Null(record.PositionType);
        Assert.Equal(balance - (110 * added / Lev + 110 * added * Fee + 110 * added * Slip), book.Balance);
        Assert.Equal(0.4f + delta, book.Position!.Pct);
        Assert.Equal(old.Margin + 110 * added / Lev, book.Position.Margin);
        Assert.Equal(0, book.OperationsTotal);
    }

    [Fact]
    public void Increase_with_a_large_delta_is_capped_on_the_free_balance()
    {
        var book = new TrainingPortfolio(Settings);
        book.Execute(Decide(TradeIntent.OpenShort, 0.001f), 100);
        var balance = book.Balance;
        var plan = book.Plan(Decide(TradeIntent.ModifyShort, 1f), 100);
        var target = balance * Lev * (1f - 0.001f) / 100;
        var estimated = 100 * target / Lev + 100 * target * Fee + 100 * target * Slip;
        Assert.True(estimated > balance);
        Assert.Equal(target * (balance / estimated * 0.999), plan.Quantity);
        Assert.Equal(OrderSide.Sell, plan.Side);
    }

    [Fact]
    public void Reduction_applies_the_pct_difference_to_the_quantity_and_pays_fees()
    {
        var book = OpenLong(0.6f, 100);
        var (balance, old) = (book.Balance, book.Position!);

        var plan = book.Plan(Decide(TradeIntent.ModifyLong, 0.4f), 90);
        var delta = 0.6f - 0.4f;
        var reduced = old.Quantity * delta;
        Assert.Equal((BookStep.Reduce, OrderSide.Sell, true, reduced), (plan.Step, plan.Side!.Value, plan.ReduceOnly, plan.Quantity));

        var record = book.Apply(plan, 90, plan.Quantity);
        var pnl = 1 * (90 - 100.0) * reduced;
        var released = 100 * reduced / Lev;
        Assert.Equal(("reduccion_parcial", "long", true), (record.Operation, record.ActionType, record.Success));
        Assert.Equal((reduced, old.Quantity - reduced, pnl, released, 90 * reduced * Fee),
            (record.ReducedQuantity!.Value, record.RemainingQuantity!.Value, record.PartialPnl!.Value,
             record.ReleasedMargin!.Value, record.Commission!.Value));
        Assert.Equal(balance + (pnl + released - (90 * reduced * Fee + 90 * reduced * Slip)), book.Balance);
        Assert.Equal((1, pnl), (book.OperationsTotal, book.PnlTotal));
        Assert.Equal(0.6f - delta, book.Position!.Pct);
        Assert.Equal(old.Quantity - reduced, book.Position.Quantity);
    }

    [Fact]
    public void Full_close_realises_pnl_returns_margin_and_charges_no_fee()
    {
        var book = OpenLong(0.5f, 100);
        book.OnNewCandle();
        book.OnNewCandle();
        var (balance, p) = (book.Balance, book.Position!);

        var plan = book.Plan(Decide(TradeIntent.CloseLong, 0.9f), 110);
        Assert.Equal((BookStep.Close, OrderSide.Sell, true, p.Quantity), (plan.Step, plan.Side!.Value, plan.ReduceOnly, plan.Quantity));

        var record = book.Apply(plan, 110, plan.Quantity);
        var pnl = (110 - 100.0) * p.Quantity;
        Assert.Equal(balance + (pnl + p.Margin), book.Balance);
        Assert.Null(book.Position);
        Assert.Equal((1, pnl), (book.OperationsTotal, book.PnlTotal));
        Assert.Equal(new OperationRecord
        {
            ActionType = "long", Operation = "cierre_completo", Success = true, TradeId = 1, PositionType = "long",
            EntryPrice = 100, ExitPrice = 110, Quantity = p.Quantity, CandlesOpen = 2, RealizedPnl = pnl,
            Commission = p.Commission, Slippage = p.Slippage, ReleasedMargin = p.Margin,
        }, record);
    }

    [Fact]
    public void Reduction_of_at_least_the_whole_quantity_closes_completely()
    {
        // pct 1 → 1e-9: Δ = float32(1 − 1e-9) = 1, so qty·Δ ≥ qty and the reference closes instead of reducing.
        var interpreter = new ActionInterpreter(0);
        var book = new TrainingPortfolio(Settings);
        book.Execute(interpreter.Interpret(1f, book.Position?.Side), 100);

        var decision = interpreter.Interpret(1e-9f, book.Position?.Side);
        Assert.Equal(TradeIntent.ModifyLong, decision.Intent);
        var plan = book.Plan(decision, 105);
        Assert.Equal((BookStep.Close, true, book.Position!.Quantity), (plan.Step, plan.ReduceOnly, plan.Quantity));

        var record = book.Apply(plan, 105, plan.Quantity);
        Assert.Equal(("cierre_completo", "long"), (record.Operation, record.ActionType));
        Assert.Null(book.Position);
    }

    [Fact]
    public void Partial_open_fill_books_the_filled_quantity_at_the_fill_price()
    {
        var book = new TrainingPortfolio(Settings);
        var plan = book.Plan(Decide(TradeIntent.OpenLong, 0.5f), 100); // 250
        var record = book.Apply(plan, 101, 100);

        Assert.Equal((101.0, 100.0), (book.Position!.EntryPrice, book.Position.Quantity));
        Assert.Equal((float)(0.5f * (100 / plan.Quantity)), book.Position.Pct);
        Assert.Equal(10000 - (101 * 100.0 / Lev + 101 * 100.0 * Fee + 101 * 100.0 * Slip), book.Balance);
        Assert.Equal((101.0, 100.0, (double)book.Position.Pct), (record.EntryPrice!.Value, record.Quantity!.Value, record.InvestmentPct!.Value));
    }

    [Fact]
    public void Partial_reduction_fill_moves_the_pct_by_the_filled_fraction()
    {
        var book = OpenLong(0.6f, 100);
        var old = book.Position!;
        var plan = book.Plan(Decide(TradeIntent.ModifyLong, 0.4f), 100);

        var record = book.Apply(plan, 100, plan.Quantity / 2);

        Assert.Equal(plan.Quantity / 2, record.ReducedQuantity);
        Assert.Equal(old.Quantity - plan.Quantity / 2, book.Position!.Quantity);
        Assert.Equal(0.6f - (float)(plan.Pct * 0.5), book.Position.Pct);
    }

    [Fact]
    public void Partial_close_fill_is_a_fee_free_partial_reduction()
    {
        var book = OpenLong(0.5f, 100);
        var old = book.Position!;
        var plan = book.Plan(Decide(TradeIntent.CloseLong, 0.2f), 110);

        var record = book.Apply(plan, 110, old.Quantity * 0.25);

        Assert.Equal(("reduccion_parcial", true, 0.0, 0.0), (record.Operation, record.Success, record.Commission!.Value, record.Slippage!.Value));
        Assert.Equal(old.Quantity * 0.75, book.Position!.Quantity);
        Assert.Equal((float)(0.5f * 0.75), book.Position.Pct, 6);
        Assert.Equal(1, book.OperationsTotal);
    }

    [Fact]
    public void Reduction_filled_for_the_whole_position_closes_it()
    {
        var book = OpenLong(0.6f, 100);
        var plan = book.Plan(Decide(TradeIntent.ModifyLong, 0.4f), 100);
        var record = book.Apply(plan, 100, book.Position!.Quantity);
        Assert.Equal("cierre_completo", record.Operation);
        Assert.Null(book.Position);
    }

    [Fact]
    public void Unfilled_order_books_nothing()
    {
        var book = new TrainingPortfolio(Settings);
        var plan = book.Plan(Decide(TradeIntent.OpenShort, 0.5f), 100);
        var record = book.Apply(plan, 100, 0);
        Assert.Equal(("short", "abrir_posicion", false, "orden_no_ejecutada"), (record.ActionType, record.Operation, record.Success, record.Error));
        Assert.Equal((10000.0, (OpenPosition?)null, 1L), (book.Balance, book.Position, book.NextTradeId));

        book.Execute(Decide(TradeIntent.OpenLong, 0.5f), 100);
        var position = book.Position;
        var close = book.Plan(Decide(TradeIntent.CloseLong, 0.5f), 100);
        Assert.Equal(("long", "cierre_completo", false), (book.Apply(close, 100, 0) is var r ? (r.ActionType, r.Operation, r.Success) : default));
        Assert.Same(position, book.Position);
    }

    [Fact]
    public void Plan_does_not_change_the_book_and_a_stale_plan_is_refused()
    {
        var book = OpenLong(0.5f, 100);
        var before = (book.Balance, book.Position, book.PnlTotal, book.OperationsTotal, book.NextTradeId);
        var reduce = book.Plan(Decide(TradeIntent.ModifyLong, 0.3f), 90);
        var close = book.Plan(Decide(TradeIntent.CloseLong, 0.3f), 90);
        Assert.Equal(before, (book.Balance, book.Position, book.PnlTotal, book.OperationsTotal, book.NextTradeId));

        book.Apply(reduce, 90, reduce.Quantity);
        Assert.Throws<InvalidOperationException>(() => book.Apply(close, 90, close.Quantity));
        Assert.Throws<InvalidOperationException>(() => book.Apply(reduce, 90, reduce.Quantity));
    }

    [Fact]
    public void Decision_for_another_position_state_is_rejected()
    {
        var book = OpenLong(0.5f, 100);
        Assert.Throws<InvalidOperationException>(() => book.Plan(Decide(TradeIntent.OpenLong, 0.5f), 100));
        Assert.Throws<InvalidOperationException>(() => book.Plan(Decide(TradeIntent.ModifyShort, 0.5f), 100));
        Assert.Throws<InvalidOperationException>(() => book.Plan(Decide(TradeIntent.CloseShort, 0.5f), 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingPortfolio(Settings).Plan(Decide(TradeIntent.OpenLong, 1.5f), 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingPortfolio(Settings).Plan(Decide(TradeIntent.OpenLong, 0.5f), 0));
    }

    [Fact]
    public void Hold_plans_no_order_and_records_mantener()
    {
        var book = new TrainingPortfolio(Settings);
        var plan = book.Plan(TradeDecision.Hold(0.01f), 100);
        Assert.False(plan.HasOrder);
        Assert.Equal(new OperationRecord { ActionType = "mantener", Success = true }, book.Apply(plan, 100, 0));
    }

    [Fact]
    public void Trade_ids_keep_counting_across_resets()
    {
        var book = new TrainingPortfolio(Settings, firstTradeId: 1442);
        Assert.Equal(1442, book.Execute(Decide(TradeIntent.OpenLong, 0.5f), 100).TradeId);
        book.Execute(Decide(TradeIntent.CloseLong, 0.5f), 101);
        book.Execute(Decide(TradeIntent.OpenShort, 0.5f), 101);
        book.Reset();
        Assert.Equal((10000.0, (OpenPosition?)null, 0, 0.0), (book.Balance, book.Position, book.OperationsTotal, book.PnlTotal));
        Assert.Equal(1444, book.Execute(Decide(TradeIntent.OpenShort, 0.5f), 100).TradeId);
    }

    [Fact]
    public void Candles_count_only_while_a_position_is_open()
    {
        var book = new TrainingPortfolio(Settings);
        book.OnNewCandle();
        book.Execute(Decide(TradeIntent.OpenLong, 0.5f), 100);
        book.OnNewCandle();
        book.OnNewCandle();
        Assert.Equal(2, book.Position!.CandlesOpen);
        Assert.Equal(2, book.Info(100).ActiveCandles);
    }

    [Fact]
    public void Max_drawdown_raises_the_peak_on_every_query_and_is_idempotent()
    {
        var book = OpenLong(0.5f, 100); // equity(p) = 9950 + 250 (p − 100)
        Assert.Equal(book.Equity(100), 10000 - book.Position!.Commission - book.Position.Slippage);
        Assert.Equal((10000 - book.Equity(100)) / 10000, book.MaxDrawdown(100));
        Assert.Equal(0.0, book.MaxDrawdown(104));
        var peak = book.Equity(104);
        Assert.Equal(peak, book.PeakEquity);
        var dd = (peak - book.Equity(102)) / peak;
        Assert.Equal(dd, book.MaxDrawdown(102));
        Assert.Equal(dd, book.MaxDrawdown(102));
        Assert.Equal(dd, book.Info(102).MaxDrawdown);
    }
}
