namespace Afml.FakeBinance;

/// <summary>The account at one instant, valued at the current price (single-asset USDT, cross margin).</summary>
public sealed record FakeAccountSnapshot(
    decimal WalletBalance,
    decimal TotalCommission,
    decimal TotalRealizedPnl,
    IReadOnlyList<FakePosition> Positions)
{
    public decimal UnrealizedPnl => Positions.Sum(p => p.UnrealizedPnl);
    public decimal MarginBalance => WalletBalance + UnrealizedPnl;
    public decimal InitialMargin => Positions.Sum(p => p.InitialMargin);
    public decimal AvailableBalance => Math.Max(0m, MarginBalance - InitialMargin);
    public FakePosition? Position(string symbol) => Positions.FirstOrDefault(p => p.Symbol == symbol);
}
