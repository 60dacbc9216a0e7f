using Afml.Core.Exchange;
using Afml.Core.Recording;
using Afml.Core.Session;

namespace Afml.Tests.Session;

/// <summary>
/// A session whose book follows a real venue: orders sized to the venue's filters, fills booked with the venue's
/// commission, and the book reconciled to the venue's position when someone else trades the account.
/// </summary>
public class VenueBookTests
{
    private static readonly string Candles = Path.Combine(TestData.SharedDir, "data", "BTCUSDT-1h.csv");
    private static readonly SymbolRules Btc = new("BTCUSDT", 0.1m, 0.001m, 0.001m, 1000m, 100m, 0.001m, 0.001m, 120m);

    [Fact]
    public async Task Orders_follow_the_venue_filters_and_the_book_follows_the_venue()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        FilteredVenue? venue = null;
        var summary = await h.RunAsync(h.Options(Candles) with { MaxSteps = 60 }, p =>
        {
            venue = new FilteredVenue((SimulatedExchange)p.Exchange, Btc) { ManualCloseAtOrder = 5 };
            return p with { Exchange = venue, Venue = new MarkedBinanceVenue(venue) };
        });

        Assert.Equal(60, summary.Steps);
        Assert.True(venue!.Orders.Count > 5);
        Assert.All(venue.Orders, o => Assert.Equal(0, (decimal)o.Quantity % 0.001m));
        Assert.True(summary.Reconciliations >= 1, "the manual close must be reconciled");
        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        Assert.Contains(h.Events.OfType<SessionLog>(), l => l.Message.Contains("reconciliacion"));
        // After every step the book holds what the venue holds.
        var position = (await venue.GetPositionAsync("BTCUSDT", default)).Data!;
        var last = rows[^1];
        Assert.Equal(Math.Abs(position.Quantity), last.CantidadActiva ?? 0, 9);
    }

    [Fact]
    public async Task The_emergency_close_is_booked_with_the_venues_fill_and_commission()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var cfg = Path.Combine(h.TrainingDir, "config_metadata.yaml");
        File.WriteAllLines(cfg, File.ReadAllLines(cfg).Select(l => l.TrimStart().StartsWith("max_drawdown_permitido:") ? "  max_drawdown_permitido: 0.01" : l));
        FilteredVenue? venue = null;
        var summary = await h.RunAsync(h.Options(Candles) with { MaxSteps = 300 }, p =>
        {
            venue = new FilteredVenue((SimulatedExchange)p.Exchange, Btc);
            return p with { Exchange = venue, Venue = new MarkedBinanceVenue(venue) };
        });

        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        var last = rows[^1];
        Assert.Equal("emergencia", last.TipoAccion);
        var emergencyFill = venue!.Fills.Single(f => f.ClientOrderId.EndsWith("-em", StringComparison.Ordinal));
        Assert.Equal(emergencyFill.ClientOrderId, last.ClientOrderId);
        // The closed trade's commission: every venue fill since it opened, the emergency close included.
        var opened = rows.Last(r => r.Operacion is "abrir_long" or "abrir_short").Paso;
        var tradeFills = venue.Fills.Where(f => f.ClientOrderId.EndsWith("-em", StringComparison.Ordinal)
            || int.Parse(f.ClientOrderId[(f.ClientOrderId.LastIndexOf('-') + 1)..]) >= opened);
        Assert.Equal(tradeFills.Sum(f => f.Commission), last.Comision!.Value, 9);
        Assert.True(emergencyFill.Commission > 0);
    }

    /// <summary>Binance's behaviour (venue fills and commission, reconciliation) over the filtered simulated account,
    /// which still needs marking at each close.</summary>
    private sealed class MarkedBinanceVenue(IPriceDriven marks) : Afml.Core.Venues.BinanceVenue(live: false, commissionRate: 0.0004)
    {
        public override void OnCandle(string symbol, double price) => marks.OnPrice(symbol, price);
    }

    /// <summary>The simulated venue behind real-looking filters, with an operator who closes the position by hand.</summary>
    private sealed class FilteredVenue(SimulatedExchange inner, SymbolRules rules) : IExchange, IPriceDriven
    {
        public List<MarketOrderRequest> Orders { get; } = [];
        public List<OrderFill> Fills { get; } = [];
        public int ManualCloseAtOrder { get; init; } = -1;
        public string Name => "filtered";
        public bool IsLive => false;
        public void OnPrice(string symbol, double price) => inner.OnPrice(symbol, price);
        public Task<ExchangeResult<SymbolRules>> GetSymbolRulesAsync(string symbol, CancellationToken ct) => Task.FromResult(ExchangeResult<SymbolRules>.Ok(rules));
        public Task<ExchangeResult<AccountSnapshot>> GetAccountAsync(CancellationToken ct) => inner.GetAccountAsync(ct);
        public Task<ExchangeResult<PositionSnapshot>> GetPositionAsync(string symbol, CancellationToken ct) => inner.GetPositionAsync(symbol, ct);
        public Task<ExchangeResult<bool>> SetLeverageAsync(string symbol, int leverage, CancellationToken ct) => inner.SetLeverageAsync(symbol, leverage, ct);
        public Task<ExchangeResult<int>> CancelAllOrdersAsync(string symbol, CancellationToken ct) => inner.CancelAllOrdersAsync(symbol, ct);
        public ValueTask DisposeAsync() => inner.DisposeAsync();

        public async Task<ExchangeResult<OrderFill>> PlaceMarketOrderAsync(MarketOrderRequest request, CancellationToken ct)
        {
            Orders.Add(request);
            var fill = await inner.PlaceMarketOrderAsync(request, ct);
            if (fill.Success) Fills.Add(fill.Data!);
            if (Orders.Count == ManualCloseAtOrder)
            {
                var pos = (await inner.GetPositionAsync(request.Symbol, ct)).Data!;
                if (pos.Quantity != 0)
                    await inner.PlaceMarketOrderAsync(new MarketOrderRequest(request.Symbol, pos.Quantity > 0 ? OrderSide.Sell : OrderSide.Buy,
                        Math.Abs(pos.Quantity), true, "manual-" + request.ClientOrderId, request.ReferencePrice), ct);
            }
            return fill;
        }
    }
}
