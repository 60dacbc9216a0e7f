using Afml.Core.Exchange;
using Afml.Core.Features;

namespace Afml.Core.Portfolio;

/// <summary>
/// The training book: a port of the reference's <c>Portafolio</c> (free balance, one open position, realised PnL,
/// operation count, running peak equity), reproducing its arithmetic bit for bit.
/// </summary>
/// <remarks>
/// <para>Execution is two-phase so that a venue can sit between decision and bookkeeping:
/// <see cref="Plan"/> computes, without mutating anything, what the training env would do at a price;
/// <see cref="Apply"/> books the fill. When the fill equals the plan (price = plan price, quantity = plan quantity)
/// the book ends exactly where the reference's would. <see cref="Execute"/> does both, as the training env.
/// Prices must be what the env sees: the candle close rounded to float32 and widened to double.</para>
/// <para>When a real fill differs: prices and PnL use the fill price; a partial fill books the filled quantity
/// and moves the stored pct by the filled fraction of the planned pct (float32(pct·filled/planned); an over-fill
/// books the quantity but moves the pct by the planned amount only); a reduction filled for at least the position's
/// quantity closes it; a close filled for less than the position's quantity is booked as a
/// <c>reduccion_parcial</c> without fees (closes carry none) that scales the stored pct by the remaining fraction;
/// a zero fill books nothing and returns <c>resultado</c> false with error <c>orden_no_ejecutada</c>. Opens and
/// increases are booked even if the fill makes the balance negative (the venue has already executed them).</para>
/// <para>Deviation: an increase the free balance cannot fund at all (balance ≤ 0) raises inside the reference
/// (a zero quantity fails its margin check); here it is refused like an unaffordable increase
/// (<c>aumento_posicion</c>, <c>resultado</c> false, error <c>insuficiente_balance…</c>).</para>
/// </remarks>
public sealed class TrainingPortfolio
{
    private long _revision;

    /// <summary>Creates a book at <see cref="PortfolioSettings.InitialCapital"/>.</summary>
    /// <param name="settings">The account parameters (validated).</param>
    /// <param name="firstTradeId">Id of the first trade (the reference starts at 1).</param>
    public TrainingPortfolio(PortfolioSettings settings, long firstTradeId = 1)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings.Validate();
        if (firstTradeId < 0)
            throw new ArgumentOutOfRangeException(nameof(firstTradeId), firstTradeId, "Trade ids cannot be negative.");
        NextTradeId = firstTradeId;
        Reset();
    }

    /// <summary>The account parameters.</summary>
    public PortfolioSettings Settings { get; }

    /// <summary>Free cash (<c>balance</c>): capital minus locked margin and paid fees plus realised PnL.</summary>
    public double Balance { get; private set; }

    /// <summary>Realised PnL of the episode (<c>pnl_total</c>): full closes and partial reductions.</summary>
    public double PnlTotal { get; private set; }

    /// <summary>Closes and partial reductions of the episode (<c>operaciones_total</c>); opens and increases don't count.</summary>
    public int OperationsTotal { get; private set; }

    /// <summary>The open position, or null when flat.</summary>
    public OpenPosition? Position { get; private set; }

    /// <summary>Id the next open gets; not reset between episodes.</summary>
    public long NextTradeId { get; private set; }

    /// <summary>The running peak equity of the episode (updated by every <see cref="MaxDrawdown"/> query).</summary>
    public double PeakEquity { get; private set; }

    /// <summary>Starts a new episode: balance = capital, flat, peak = capital, counters zero. Trade ids keep counting.</summary>
    public void Reset()
    {
        Balance = Settings.InitialCapital;
        Position = null;
        PeakEquity = Settings.InitialCapital;
        OperationsTotal = 0;
        PnlTotal = 0.0;
        _revision++;
    }

    /// <summary>A new candle started: an open position's <c>velas</c> += 1 (the env's first act in every step).</summary>
    public void OnNewCandle()
    {
        if (Position is { } p) Position = p with { CandlesOpen = p.CandlesOpen + 1 };
    }

    /// <summary>Unrealised PnL at <paramref name="price"/>; 0 when flat.</summary>
    public double UnrealizedPnl(double price) => Position is { } p ? p.UnrealizedPnl(RequirePrice(price)) : 0.0;

    /// <summary>balance + margin + unrealised PnL (balance when flat).</summary>
    public double Equity(double price)
    {
        RequirePrice(price);
        return Position is { } p ? Balance + p.Margin + p.UnrealizedPnl(price) : Balance;
    }

    /// <summary>Drawdown from the episode's peak equity at <paramref name="price"/>, raising the peak first when the
    /// equity exceeds it (so every query, not only every step, moves the peak; repeated queries at one price agree).</summary>
    public double MaxDrawdown(double price)
    {
        var equity = Equity(price);
        if (equity > PeakEquity) PeakEquity = equity;
        if (PeakEquity == 0) return 0.0;
        var drawdown = (PeakEquity - equity) / PeakEquity;
        return drawdown > 0.0 ? drawdown : 0.0;
    }

    /// <summary>The <c>pf_*</c> dict at <paramref name="price"/> (queries <see cref="MaxDrawdown"/>, as the reference does).</summary>
    public PortfolioInfo Info(double price)
    {
        var equity = Equity(price);
        var drawdown = MaxDrawdown(price);
        var p = Position;
        return new PortfolioInfo(
            Balance, equity, drawdown, OperationsTotal, PnlTotal, p is not null,
            p?.TradeId, p?.Side.ToReferenceName(), p?.EntryPrice, p?.Quantity, p?.CandlesOpen,
            p is null ? null : p.UnrealizedPnl(price));
    }

    /// <summary>Plans and books <paramref name="decision"/> at <paramref name="price"/> with a fill equal to the
    /// plan: the training env's step.</summary>
    public OperationRecord Execute(TradeDecision decision, double price)
    {
        var plan = Plan(decision, price);
        return Apply(plan, price, plan.Quantity);
    }

    /// <summary>What the training env would do for <paramref name="decision"/> at <paramref name="price"/>. Does not
    /// change the book.</summary>
    /// <exception cref="InvalidOperationException">The decision was interpreted for another position state.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Price not positive, or an open/modify pct outside (0, 1]
    /// (the reference raises for both).</exception>
    public OrderPlan Plan(TradeDecision decision, double price)
    {
        if (decision.Intent == TradeIntent.Hold)
            return new OrderPlan(decision, price, _revision, OperationRecord.Hold);
        RequirePrice(price);
        RequireConsistent(decision.Intent);
        return decision.Intent switch
        {
            TradeIntent.OpenLong => PlanOpen(decision, PositionSide.Long, price),
            TradeIntent.OpenShort => PlanOpen(decision, PositionSide.Short, price),
            TradeIntent.CloseLong or TradeIntent.CloseShort => PlanClose(decision, price),
            _ => PlanModify(decision, price),
        };
    }

    /// <summary>Books the fill of <paramref name="plan"/> and returns the operation record. For a plan without an
    /// order the fill is ignored and the plan's record returned.</summary>
    /// <param name="plan">A plan made by this book since its last change.</param>
    /// <param name="fillPrice">Average fill price (the plan's price for the training env).</param>
    /// <param name="fillQuantity">Filled base quantity (the plan's quantity for the training env).</param>
    /// <param name="cost">How the fill is charged: <see cref="FillCost.Training"/> (replay, paper) books the training
    /// env's costs; <see cref="FillCost.Venue"/> (live) books exactly the venue's commission, so the allocated capital
    /// follows the money.</param>
    /// <exception cref="InvalidOperationException">The plan is stale (the book changed after it was made) or
    /// belongs to another book.</exception>
    public OperationRecord Apply(OrderPlan plan, double fillPrice, double fillQuantity) => Apply(plan, fillPrice, fillQuantity, FillCost.Training);

    /// <inheritdoc cref="Apply(OrderPlan, double, double)"/>
    public OperationRecord Apply(OrderPlan plan, double fillPrice, double fillQuantity, FillCost cost)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Revision != _revision)
            throw new InvalidOperationException("The plan is stale: the book changed after it was planned.");
        if (!plan.HasOrder) return plan.Record!;
        RequirePrice(fillPrice);
        if (!(fillQuantity >= 0) || double.IsInfinity(fillQuantity))
            throw new ArgumentOutOfRangeException(nameof(fillQuantity), fillQuantity, "Fill quantity must be finite and ≥ 0.");
        if (fillQuantity == 0) return NotFilled(plan);
        var fees = Fees(fillPrice, fillQuantity, cost);
        var record = plan.Step switch
        {
            BookStep.Open => BookOpen(plan, fillPrice, fillQuantity, fees),
            BookStep.Increase => BookIncrease(plan, fillPrice, fillQuantity, fees),
            BookStep.Reduce => TakesAll(fillQuantity)
                ? BookClose(fillPrice, cost.Commission)
                : BookReduce(fillPrice, fillQuantity, FilledPct(plan, fillQuantity), fees),
            _ => TakesAll(fillQuantity)
                ? BookClose(fillPrice, cost.Commission)
                : BookReduce(fillPrice, fillQuantity, RemainingPctCut(fillQuantity), cost.IsVenueCharge ? fees : default),
        };
        _revision++;
        return record;
    }

    private OrderPlan PlanOpen(TradeDecision decision, PositionSide side, double price)
    {
        var pct = RequirePct(decision.Pct);
        var quantity = PositionSizing.Target(Equity(price), pct, Settings, price);
        if (quantity <= 0)
            return Refused(decision, price, OperationNames.OpenRefused,
                $"{OperationNames.InvalidQuantityError}: Cantidad calculada inválida: {PythonFloat.Format(quantity)}");
        quantity = PositionSizing.CapToBalance(quantity, price, Balance, Settings);
        var cost = TradeCosts.Of(price, quantity, Settings).Total;
        if (Balance < cost)
            return Refused(decision, price, OperationNames.OpenRefused,
                $"{OperationNames.InsufficientCapitalError}: disponible={PythonFloat.Format(Balance)}, requerido={PythonFloat.Format(cost)}");
        return new OrderPlan(decision, price, _revision, BookStep.Open, BuyOrSell(side, opening: true), quantity, pct);
    }

    private OrderPlan PlanClose(TradeDecision decision, double price)
    {
        var p = Position!;
        return new OrderPlan(decision, price, _revision, BookStep.Close, BuyOrSell(p.Side, opening: false), p.Quantity, 0f);
    }

    private OrderPlan PlanModify(TradeDecision decision, double price)
    {
        var p = Position!;
        var pct = RequirePct(decision.Pct);
        if (pct > p.Pct)
        {
            var delta = pct - p.Pct; // float32, as numpy float32 − float32
            var quantity = Balance > 0 ? PositionSizing.Target(Balance, delta, Settings, price) : 0.0;
            if (quantity > 0) quantity = PositionSizing.CapToBalance(quantity, price, Balance, Settings);
            var cost = quantity > 0 ? TradeCosts.Of(price, quantity, Settings).Total : 0.0;
            if (!(quantity > 0) || Balance < cost)
                return Refused(decision, price, OperationNames.Increase,
                    $"{OperationNames.InsufficientBalanceError}: disponible={PythonFloat.Format(Balance)}, requerido={PythonFloat.Format(cost)}");
            return new OrderPlan(decision, price, _revision, BookStep.Increase, BuyOrSell(p.Side, opening: true), quantity, delta);
        }
        if (pct < p.Pct)
        {
            var delta = p.Pct - pct; // float32
            var quantity = p.Quantity * delta;
            return quantity >= p.Quantity
                ? new OrderPlan(decision, price, _revision, BookStep.Close, BuyOrSell(p.Side, opening: false), p.Quantity, 0f)
                : new OrderPlan(decision, price, _revision, BookStep.Reduce, BuyOrSell(p.Side, opening: false), quantity, delta);
        }
        // Same pct: the portfolio reports success=False, but its dict (resultado: true) overrides the env's.
        return new OrderPlan(decision, price, _revision, new OperationRecord
        {
            ActionType = OperationNames.Hold,
            Operation = OperationNames.Hold,
            Success = true,
        });
    }

    /// <summary>The costs of a fill: the training env's rates, or a venue's actual commission and no slippage rate.</summary>
    private TradeCosts Fees(double price, double quantity, FillCost cost) =>
        cost.IsVenueCharge ? new TradeCosts(price * quantity / Settings.Leverage, cost.Commission, 0.0) : TradeCosts.Of(price, quantity, Settings);

    private OperationRecord BookOpen(OrderPlan plan, double price, double quantity, TradeCosts costs)
    {
        var side = plan.Intent == TradeIntent.OpenLong ? PositionSide.Long : PositionSide.Short;
        var pct = FilledPct(plan, quantity);
        var tradeId = NextTradeId++;
        Position = new OpenPosition(tradeId, side, price, quantity, pct, 0, costs.Margin, costs.Commission, costs.Slippage);
        Balance -= costs.Total;
        return new OperationRecord
        {
            Operation = side == PositionSide.Long ? OperationNames.OpenLong : OperationNames.OpenShort,
            ActionType = side.ToReferenceName(),
            Success = true,
            TradeId = tradeId,
            PositionType = side.ToReferenceName(),
            EntryPrice = price,
            Quantity = quantity,
            InvestmentPct = pct,
            Commission = costs.Commission,
            Slippage = costs.Slippage,
            Margin = costs.Margin,
            CandlesOpen = 0,
        };
    }

    private OperationRecord BookIncrease(OrderPlan plan, double price, double added, TradeCosts costs)
    {
        var p = Position!;
        var delta = FilledPct(plan, added);
        Balance -= costs.Total;
        var total = p.Quantity + added;
        var entry = (p.EntryPrice * p.Quantity + price * added) / total;
        Position = p with
        {
            EntryPrice = entry,
            Quantity = total,
            Margin = p.Margin + costs.Margin,
            Commission = p.Commission + costs.Commission,
            Slippage = p.Slippage + costs.Slippage,
            Pct = p.Pct + delta,
        };
        return new OperationRecord
        {
            Operation = OperationNames.Increase,
            ActionType = p.Side.ToReferenceName(),
            Success = true,
            TradeId = p.TradeId,
            EntryPrice = entry,
            AddedQuantity = added,
            TotalQuantity = total,
            Quantity = total,
            InvestmentPct = delta,
            Commission = costs.Commission,
            Slippage = costs.Slippage,
            Margin = costs.Margin,
        };
    }

    /// <param name="fees">Commission and slippage charged (default: none, as for a close filled short).</param>
    private OperationRecord BookReduce(double price, double reduced, float pctCut, TradeCosts fees)
    {
        var p = Position!;
        var pnl = p.Side.Sign() * (price - p.EntryPrice) * reduced;
        var released = p.EntryPrice * reduced / Settings.Leverage;
        var remaining = p.Quantity - reduced;
        OperationsTotal++;
        PnlTotal += pnl;
        Balance += pnl + released - (fees.Commission + fees.Slippage);
        Position = p with
        {
            Quantity = remaining,
            Margin = p.Margin - released,
            Commission = p.Commission + fees.Commission,
            Slippage = p.Slippage + fees.Slippage,
            Pct = p.Pct - pctCut,
        };
        return new OperationRecord
        {
            Operation = OperationNames.PartialReduction,
            ActionType = p.Side.ToReferenceName(),
            Success = true,
            TradeId = p.TradeId,
            ExitPrice = price,
            ReducedQuantity = reduced,
            RemainingQuantity = remaining,
            PartialPnl = pnl,
            Commission = fees.Commission,
            Slippage = fees.Slippage,
            ReleasedMargin = released,
        };
    }

    /// <param name="commission">What a venue charged for the close; the training env charges nothing (0).</param>
    private OperationRecord BookClose(double price, double commission)
    {
        var p = Position!;
        var pnl = p.UnrealizedPnl(price);
        OperationsTotal++;
        PnlTotal += pnl;
        Position = null;
        Balance += pnl + p.Margin;
        if (commission != 0.0) Balance -= commission;
        return new OperationRecord
        {
            Operation = OperationNames.FullClose,
            ActionType = p.Side.ToReferenceName(),
            Success = true,
            TradeId = p.TradeId,
            PositionType = p.Side.ToReferenceName(),
            EntryPrice = p.EntryPrice,
            ExitPrice = price,
            Quantity = p.Quantity,
            CandlesOpen = p.CandlesOpen,
            RealizedPnl = pnl,
            Commission = p.Commission + commission,
            Slippage = p.Slippage,
            ReleasedMargin = p.Margin,
        };
    }

    /// <summary>
    /// Brings the book to the position a venue reports when the two disagree by more than
    /// <paramref name="tolerance"/> (a partial fill the venue finished later, a manual trade, a liquidation, a
    /// restart onto an open position). The venue is the truth: the book closes what the venue no longer holds,
    /// shrinks or grows to the venue's quantity (pct scaled by the same ratio), and adopts a position it did not
    /// open at the venue's entry price with pct = notional / (equity · leverage), capped at 1. No fees are booked
    /// (the venue's fills for it are unknown here). Returns null when the book already agrees.
    /// </summary>
    /// <param name="venueQuantity">Signed venue position: positive long, negative short, 0 flat.</param>
    /// <param name="venueEntryPrice">The venue's entry price (used when a position is adopted).</param>
    /// <param name="price">The current price (realises PnL for what the book drops).</param>
    /// <param name="tolerance">Quantity difference still counted as agreement (e.g. half the step size).</param>
    /// <param name="commission">What the venue charged, in USDT, for the fill that moved its position (a venue event's:
    /// an exchange stop's close, a manual trade), booked with the close or the reduction it caused; 0 when no fill is
    /// known (a restart's adoption, a drift found by a step).</param>
    public OperationRecord? Reconcile(double venueQuantity, double venueEntryPrice, double price, double tolerance, double commission = 0.0)
    {
        RequirePrice(price);
        if (!double.IsFinite(venueQuantity) || !(tolerance >= 0))
            throw new ArgumentOutOfRangeException(nameof(venueQuantity), venueQuantity, "Venue quantity must be finite and tolerance ≥ 0.");
        var venueSide = Math.Abs(venueQuantity) <= tolerance ? (PositionSide?)null : venueQuantity > 0 ? PositionSide.Long : PositionSide.Short;
        var venueAbs = Math.Abs(venueQuantity);
        var p = Position;
        if (p is null && venueSide is null) return null;
        if (p is not null && venueSide == p.Side && Math.Abs(p.Quantity - venueAbs) <= tolerance) return null;

        var before = Describe(p);
        OperationRecord record;
        if (p is not null && venueSide == p.Side)
        {
            record = venueAbs < p.Quantity
                ? BookReduce(price, p.Quantity - venueAbs, p.Pct - (float)(p.Pct * (venueAbs / p.Quantity)), new TradeCosts(0.0, commission, 0.0))
                : BookGrow(price, venueAbs);
        }
        else
        {
            var closed = p is not null ? BookClose(price, commission) : null;
            record = venueSide is { } side
                ? BookAdopt(side, venueAbs, venueEntryPrice > 0 ? venueEntryPrice : price, price) with { RealizedPnl = closed?.RealizedPnl }
                : closed!;
        }
        _revision++;
        return record with
        {
            ActionType = OperationNames.Reconciliation,
            Operation = OperationNames.Reconciliation,
            Success = true,
            Error = $"{OperationNames.Reconciliation}: libro {before} ≠ venue {Describe(venueSide, venueAbs)}; el libro sigue al venue",
        };
    }

    private OperationRecord BookGrow(double price, double venueQuantity)
    {
        var p = Position!;
        var added = venueQuantity - p.Quantity;
        var margin = price * added / Settings.Leverage;
        Balance -= margin;
        Position = p with
        {
            EntryPrice = (p.EntryPrice * p.Quantity + price * added) / venueQuantity,
            Quantity = venueQuantity,
            Margin = p.Margin + margin,
            Pct = Math.Min(1f, (float)(p.Pct * (venueQuantity / p.Quantity))),
        };
        return new OperationRecord { TradeId = p.TradeId, AddedQuantity = added, TotalQuantity = venueQuantity, Quantity = venueQuantity, Margin = margin };
    }

    private OperationRecord BookAdopt(PositionSide side, double quantity, double entry, double price)
    {
        var margin = entry * quantity / Settings.Leverage;
        var equity = Equity(price);
        var pct = equity > 0 ? (float)Math.Min(1.0, entry * quantity / (equity * Settings.Leverage)) : 1f;
        var tradeId = NextTradeId++;
        Balance -= margin;
        Position = new OpenPosition(tradeId, side, entry, quantity, pct, 0, margin, 0.0, 0.0);
        return new OperationRecord { TradeId = tradeId, PositionType = side.ToReferenceName(), EntryPrice = entry, Quantity = quantity, Margin = margin };
    }

    private static string Describe(OpenPosition? p) => p is null ? "flat" : Describe(p.Side, p.Quantity);

    private static string Describe(PositionSide? side, double quantity) =>
        side is null ? "flat" : $"{side.Value.ToReferenceName()} {PythonFloat.Format(quantity)}";

    /// <summary>A fill that takes the whole position. A venue reports quantities as exact decimals while the book sums
    /// its fills in double (0.1 + 0.2 = 0.30000000000000004), so a close filled for the venue's whole position may
    /// fall a few ulps short of the book's: within 1e-9 relative it is the whole. The training env fills exactly, so
    /// replays are unaffected.</summary>
    private bool TakesAll(double fillQuantity) => fillQuantity >= Position!.Quantity * (1 - 1e-9);

    /// <summary>The plan's pct scaled by the filled fraction; exactly the plan's pct for a complete (or over-) fill.</summary>
    private static float FilledPct(OrderPlan plan, double filled) =>
        filled >= plan.Quantity ? plan.Pct : (float)(plan.Pct * (filled / plan.Quantity));

    /// <summary>For a close filled for less than the position: the pct cut that leaves pct·remaining/quantity.</summary>
    private float RemainingPctCut(double filled)
    {
        var p = Position!;
        var kept = (float)(p.Pct * ((p.Quantity - filled) / p.Quantity));
        return p.Pct - kept;
    }

    /// <summary>A zero fill: nothing booked. <c>tipo_accion</c> follows the reference's convention (the closed
    /// side for a close, else the branch).</summary>
    private OperationRecord NotFilled(OrderPlan plan) => new()
    {
        ActionType = plan.Step == BookStep.Close ? Position!.Side.ToReferenceName() : plan.Decision.ActionType,
        Operation = plan.Step switch
        {
            BookStep.Open => OperationNames.OpenRefused,
            BookStep.Increase => OperationNames.Increase,
            BookStep.Reduce => OperationNames.PartialReduction,
            _ => OperationNames.FullClose,
        },
        Success = false,
        Error = OperationNames.NotFilledError,
    };

    /// <summary>A refusal: the env's dict (<c>tipo_accion</c> = branch) overridden by the portfolio's
    /// <c>{operacion, resultado: false, error}</c>.</summary>
    private OrderPlan Refused(TradeDecision decision, double price, string operation, string error) =>
        new(decision, price, _revision, new OperationRecord
        {
            ActionType = decision.ActionType,
            Operation = operation,
            Success = false,
            Error = error,
        });

    private static OrderSide BuyOrSell(PositionSide side, bool opening) =>
        (side == PositionSide.Long) == opening ? OrderSide.Buy : OrderSide.Sell;

    private void RequireConsistent(TradeIntent intent)
    {
        var expected = intent switch
        {
            TradeIntent.OpenLong or TradeIntent.OpenShort => (PositionSide?)null,
            TradeIntent.CloseLong or TradeIntent.ModifyLong => PositionSide.Long,
            _ => PositionSide.Short,
        };
        if (Position?.Side != expected)
            throw new InvalidOperationException(
                $"Decision {intent} does not fit the book's position ({Position?.Side.ToString() ?? "flat"}); interpret the action against the current book.");
    }

    private static double RequirePrice(double price) =>
        price > 0 && double.IsFinite(price)
            ? price
            : throw new ArgumentOutOfRangeException(nameof(price), price, "Price must be positive and finite.");

    private static float RequirePct(float pct) =>
        pct > 0 && pct <= 1
            ? pct
            : throw new ArgumentOutOfRangeException(nameof(pct), pct, "Investment pct must be within (0, 1].");
}
