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
        // After every step the book holds what the venue holds, side included: the venue's position after step k is
        // what it reports before step k + 1 (and, after the last step, at the end).
        var venueAfter = venue.PositionsBeforeStep.Skip(1).Append((await venue.GetPositionAsync("BTCUSDT", default)).Data!.Quantity).ToList();
        Assert.Equal(rows.Count, venueAfter.Count);
        Assert.Contains(venueAfter, q => q > 0);
        Assert.Contains(venueAfter, q => q < 0); // both sides met, so a sign error cannot hide
        for (var k = 0; k < rows.Count; k++)
            Assert.True(Math.Abs(venueAfter[k] - SignedBookQuantity(rows[k])) <= 1e-9,
                $"paso {rows[k].Paso}: venue holds {venueAfter[k]}, book {SignedBookQuantity(rows[k])} ({rows[k].TipoPosicionActiva} {rows[k].CantidadActiva})");
    }

    /// <summary>The book's position in a registro row: + long, − short, 0 flat.</summary>
    private static double SignedBookQuantity(RegistroRow row) =>
        row.PosicionAbierta ? (row.CantidadActiva ?? double.NaN) * row.TipoPosicionActiva switch { "long" => 1, "short" => -1, _ => double.NaN } : 0;

    [Fact]
    public async Task The_emergency_close_is_booked_with_the_venues_fill_and_commission()
    {
        using var h = new SessionHarness(TestData.FixtureTrainingDir);
        var cfg = Path.Combine(h.TrainingDir, "config_metadata.yaml");
        File.WriteAllLines(cfg, File.ReadAllLines(cfg).Select(l => l.TrimStart().StartsWith("max_drawdown_permitido:") ? "  max_drawdown_permitido: 0.01" : l));
        FilteredVenue? venue = null;
        var summary = await h.RunAsync(h.Options(Candles) with { MaxSteps = 300 }, p =>
        {
            // The venue fills 0.2 % away from the close (against the taker), so a fill booked at the close shows.
            venue = new FilteredVenue((SimulatedExchange)p.Exchange, Btc) { Slippage = 0.002 };
            return p with { Exchange = venue, Venue = new MarkedBinanceVenue(venue) };
        });

        Assert.Equal(SessionStopReason.Emergency, summary.StopReason);
        var rows = RegistroReader.Read(summary.RegistroPath).ToList();
        var last = rows[^1];
        Assert.Equal("emergencia", last.TipoAccion);
        var emergencyFill = venue!.Fills.Single(f => f.ClientOrderId.EndsWith("-em", StringComparison.Ordinal));
        Assert.Equal(emergencyFill.ClientOrderId, last.ClientOrderId);
        // Every open was booked at its venue fill, not at the close.
        var opens = rows.Where(r => r.Operacion is "abrir_long" or "abrir_short" && r.ClientOrderId is not null).ToList();
        Assert.NotEmpty(opens);
        foreach (var open in opens)
        {
            var fill = venue.Fills.Single(f => f.ClientOrderId == open.ClientOrderId);
            Assert.NotEqual(open.Precio, fill.AveragePrice, 6);
            Assert.Equal(fill.AveragePrice, open.PrecioEntrada!.Value, 9);
        }
        // The emergency close realised its PnL at the venue's fill, not at the close.
        var before = rows[^2];
        Assert.True(before.PosicionAbierta, "a position was open when the emergency came");
        Assert.NotEqual(last.Precio, emergencyFill.AveragePrice, 6);
        var atFill = SignedBookQuantity(before) * (emergencyFill.AveragePrice - before.PrecioEntradaActiva!.Value);
        var atClose = SignedBookQuantity(before) * (last.Precio - before.PrecioEntradaActiva!.Value);
        Assert.True(Math.Abs(atFill - atClose) > 1e-6, "the fill and the close must give different PnLs");
        Assert.Equal(atFill, last.PnlRealizado!.Value, 6);
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
        /// <summary>Fills this fraction away from the request's reference price (the close), against the taker.</summary>
        public double Slippage { get; init; }
        /// <summary>The signed position the venue held when each step began (the session marks prices at step A).</summary>
        public List<double> PositionsBeforeStep { get; } = [];
        public string Name => "filtered";
        public bool IsLive => false;
        public void OnPrice(string symbol, double price)
        {
            PositionsBeforeStep.Add(inner.GetPositionAsync(symbol, default).Result.Data!.Quantity);
            inner.OnPrice(symbol, price);
        }
        public Task<ExchangeResult<SymbolRules>> GetSymbolRulesAsync(string symbol, CancellationToken ct) => Task.FromResult(ExchangeResult<SymbolRules>.Ok(rules));
        public Task<ExchangeResult<AccountSnapshot>> GetAccountAsync(CancellationToken ct) => inner.GetAccountAsync(ct);
        public Task<ExchangeResult<PositionSnapshot>> GetPositionAsync(string symbol, CancellationToken ct) => inner.GetPositionAsync(symbol, ct);
        public Task<ExchangeResult<bool>> SetLeverageAsync(string symbol, int leverage, CancellationToken ct) => inner.SetLeverageAsync(symbol, leverage, ct);
        public Task<ExchangeResult<int>> CancelAllOrdersAsync(string symbol, CancellationToken ct) => inner.CancelAllOrdersAsync(symbol, ct);
        public ValueTask DisposeAsync() => inner.DisposeAsync();

        public async Task<ExchangeResult<OrderFill>> PlaceMarketOrderAsync(MarketOrderRequest request, CancellationToken ct)
        {
            Orders.Add(request);
            var fillAt = request.ReferencePrice * (1 + (request.Side == OrderSide.Buy ? Slippage : -Slippage));
            var fill = await inner.PlaceMarketOrderAsync(request with { ReferencePrice = fillAt }, ct);
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
