namespace Afml.FakeBinance;

/// <summary>A one-way (BOTH) position. <see cref="Amount"/> is signed: &gt; 0 long, &lt; 0 short.</summary>
public sealed record FakePosition(
    string Symbol,
    decimal Amount,
    decimal EntryPrice,
    int Leverage,
    decimal AccumulatedRealized,
    decimal MarkPrice,
    long UpdateTime)
{
    public decimal UnrealizedPnl => Amount * (MarkPrice - EntryPrice);
    public decimal Notional => Amount * MarkPrice;
    public decimal InitialMargin => Leverage == 0 ? 0m : Math.Abs(Notional) / Leverage;
}
