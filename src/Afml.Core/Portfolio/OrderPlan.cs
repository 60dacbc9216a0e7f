using Afml.Core.Exchange;

namespace Afml.Core.Portfolio;

/// <summary>What the training env would do for a decision at a price, computed by
/// <see cref="TrainingPortfolio.Plan"/> without touching the book: either no order (with the final
/// <see cref="Record"/>) or one market order to send before <see cref="TrainingPortfolio.Apply"/> books its fill.</summary>
public sealed class OrderPlan
{
    internal OrderPlan(TradeDecision decision, double price, long revision, OperationRecord record)
    {
        Decision = decision;
        Price = price;
        Revision = revision;
        Record = record;
        Step = BookStep.None;
    }

    internal OrderPlan(TradeDecision decision, double price, long revision, BookStep step, OrderSide side,
        double quantity, float pct)
    {
        Decision = decision;
        Price = price;
        Revision = revision;
        Step = step;
        Side = side;
        Quantity = quantity;
        Pct = pct;
    }

    /// <summary>The decision planned.</summary>
    public TradeDecision Decision { get; }

    /// <summary>The decision's intent.</summary>
    public TradeIntent Intent => Decision.Intent;

    /// <summary>The price the plan was sized at (the decision candle's close).</summary>
    public double Price { get; }

    /// <summary>Bookkeeping that follows the fill; <see cref="BookStep.None"/> when there is no order.</summary>
    public BookStep Step { get; }

    /// <summary>True when an order has to be executed before <see cref="TrainingPortfolio.Apply"/>.</summary>
    public bool HasOrder => Step != BookStep.None;

    /// <summary>Order side (buy opens/increases a long and reduces/closes a short); null without an order.</summary>
    public OrderSide? Side { get; }

    /// <summary>Base quantity of the order as the training env computes it (unrounded); 0 without an order.</summary>
    public double Quantity { get; }

    /// <summary>True for reductions and closes.</summary>
    public bool ReduceOnly => Step is BookStep.Reduce or BookStep.Close;

    /// <summary>The float32 pct the fill moves the position by: the open's pct, or the Δ of an increase or
    /// reduction; 0 for closes and plans without an order.</summary>
    public float Pct { get; }

    /// <summary>The final operation record of a plan without an order; null when an order has to be filled.</summary>
    public OperationRecord? Record { get; }

    /// <summary>The book revision the plan was computed against: <see cref="TrainingPortfolio.Apply"/> refuses a
    /// plan once the book has changed.</summary>
    internal long Revision { get; }
}
