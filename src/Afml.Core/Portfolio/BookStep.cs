namespace Afml.Core.Portfolio;

/// <summary>The bookkeeping an <see cref="OrderPlan"/> leads to once filled.</summary>
public enum BookStep
{
    /// <summary>No order: the plan's record is final (hold, same pct, refused open or increase).</summary>
    None,
    /// <summary>Open a new position.</summary>
    Open,
    /// <summary>Add to the open position (same side).</summary>
    Increase,
    /// <summary>Partially reduce the open position (reduce-only).</summary>
    Reduce,
    /// <summary>Close the open position completely (reduce-only), without a fee.</summary>
    Close,
}
