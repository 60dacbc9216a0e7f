using Afml.Core;
using Afml.Core.Exchange;
using Afml.Core.MarketData;
using Afml.Core.Portfolio;
using Afml.Core.Risk;
using Afml.Core.Session;
using Afml.Core.Venues;

namespace Afml.Tests.Venues;

/// <summary>Binance's behaviour at start and for fill costs, against a scripted account.</summary>
public class BinanceVenueTests
{
    private static VenueContext Context(IExchange exchange, TrainingPortfolio book) => new(
        exchange, book, "BTCUSDT", SymbolRules.Unrestricted("BTCUSDT"), new OperationRetry(TimeProvider.System, delay: TimeSpan.Zero), SessionLogger.None, _ => { });

    private static readonly Candle Last = new(1_700_000_000_000, 100, 100, 100, 100, 1);

    [Fact]
    public async Task A_restart_onto_a_losing_position_adopts_it_with_the_same_capital()
    {
        // The earlier session allocated 1000 of a 1000 account; its long lost 150 since: equity 850, most of it
        // locked as the position's margin. The capital is counted against the wallet balance, so it is adopted.
        var account = new Scripted(new AccountSnapshot(WalletBalance: 1000, MarginBalance: 850, UnrealizedPnl: -150, AvailableBalance: 50),
            new PositionSnapshot("BTCUSDT", 1.5, 200, -150, 5));
        var book = new TrainingPortfolio(new PortfolioSettings(1000, 5, 0.0004, 0));

        await new BinanceVenue(live: false, commissionRate: 0.0004).StartAsync(Context(account, book), [Last], default);

        Assert.NotNull(book.Position);
        Assert.Equal(PositionSide.Long, book.Position!.Side);
        Assert.Equal(1.5, book.Position.Quantity);
        Assert.Equal(200, book.Position.EntryPrice);
        Assert.True(book.UnrealizedPnl(100) < 0);
    }

    [Fact]
    public async Task Flat_the_capital_must_fit_in_the_available_balance()
    {
        var account = new Scripted(new AccountSnapshot(1000, 1000, 0, 900), new PositionSnapshot("BTCUSDT", 0, 0, 0, 5));
        var book = new TrainingPortfolio(new PortfolioSettings(1000, 5, 0.0004, 0));
        var error = await Assert.ThrowsAsync<AfmlException>(() => new BinanceVenue(false, 0.0004).StartAsync(Context(account, book), [Last], default));
        Assert.Equal("CapitalNotAvailable", error.ErrorId);
    }

    [Fact]
    public void A_commission_the_venue_could_not_report_is_charged_at_the_configs_rate_with_a_warning()
    {
        var events = System.Threading.Channels.Channel.CreateUnbounded<SessionEvent>();
        var log = new SessionLogger(events.Writer, TimeProvider.System);
        var venue = new BinanceVenue(false, 0.0004);

        var known = venue.CostOf(new OrderFill("a", 1, OrderSide.Buy, OrderStatus.Filled, 2, 100, 0.05), log);
        var unknown = venue.CostOf(new OrderFill("b", 2, OrderSide.Buy, OrderStatus.Filled, 2, 100, 0, CommissionKnown: false), log);

        Assert.Equal(FillCost.Venue(0.05), known);
        Assert.Equal(0.08, unknown.Commission, 12);
        Assert.True(unknown.IsVenueCharge);
        Assert.True(events.Reader.TryRead(out var e));
        Assert.Contains("no disponible", ((SessionLog)e).Message);
        Assert.Equal(FillCost.Training, new SimulatedVenue(null).CostOf(new OrderFill("c", 3, OrderSide.Buy, OrderStatus.Filled, 2, 100, 0.05), log));
    }

    private sealed class Scripted(AccountSnapshot account, PositionSnapshot position) : IExchange
    {
        public string Name => "scripted";
        public bool IsLive => false;
        public Task<ExchangeResult<SymbolRules>> GetSymbolRulesAsync(string symbol, CancellationToken ct) => Task.FromResult(ExchangeResult<SymbolRules>.Ok(SymbolRules.Unrestricted(symbol)));
        public Task<ExchangeResult<AccountSnapshot>> GetAccountAsync(CancellationToken ct) => Task.FromResult(ExchangeResult<AccountSnapshot>.Ok(account));
        public Task<ExchangeResult<PositionSnapshot>> GetPositionAsync(string symbol, CancellationToken ct) => Task.FromResult(ExchangeResult<PositionSnapshot>.Ok(position));
        public Task<ExchangeResult<bool>> SetLeverageAsync(string symbol, int leverage, CancellationToken ct) => Task.FromResult(ExchangeResult<bool>.Ok(true));
        public Task<ExchangeResult<OrderFill>> PlaceMarketOrderAsync(MarketOrderRequest request, CancellationToken ct) => throw new NotSupportedException();
        public Task<ExchangeResult<int>> CancelAllOrdersAsync(string symbol, CancellationToken ct) => Task.FromResult(ExchangeResult<int>.Ok(0));
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
