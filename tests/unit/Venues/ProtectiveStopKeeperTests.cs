using System.Globalization;
using Afml.Core.Exchange;
using Afml.Core.Portfolio;
using Afml.Core.Risk;
using Afml.Core.Session;
using Afml.Core.Venues;
using Microsoft.Extensions.Time.Testing;

namespace Afml.Tests.Venues;

/// <summary>
/// The keeper against a scripted algo endpoint on a fake clock: a close-all stop placed by hand (-4130) is warned about
/// once, shown, and retried with a doubling back-off instead of every step; a peak rising a little does not move the stop
/// every step, but never leaves it looser than half the slippage margin.
/// </summary>
public class ProtectiveStopKeeperTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("afml-keeper-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static VenueContext Context(TrainingPortfolio book) => Context(book, out _);

    /// <param name="logged">What the keeper has logged so far: the log's channel drained on the caller's thread
    /// (every message written before the call is in it; no reader running in the background, no waiting).</param>
    private static VenueContext Context(TrainingPortfolio book, out Func<IReadOnlyList<string>> logged)
    {
        var events = System.Threading.Channels.Channel.CreateUnbounded<SessionEvent>();
        var logger = new SessionLogger(events.Writer, TimeProvider.System);
        var context = new VenueContext(new NoExchange(), book, "BTCUSDT", SymbolRules.Unrestricted("BTCUSDT") with { TickSize = 0.1m },
            new OperationRetry(TimeProvider.System, delay: TimeSpan.Zero), logger, _ => { });
        var messages = new List<string>();
        logged = () =>
        {
            while (events.Reader.TryRead(out var e)) if (e is SessionLog l) messages.Add(l.Message);
            return messages;
        };
        return context;
    }

    private static TrainingPortfolio LongBook(double quantity = 0.5, double entry = 100_000)
    {
        var book = new TrainingPortfolio(new PortfolioSettings(10_000, 5, 0.0004, 0.001));
        book.Reconcile(quantity, entry, entry, 1e-9);
        return book;
    }

    private ProtectiveStopSettings Settings(double slippage = 0.001) => new(0.25, 0.0004, slippage, _dir, "train");

    [Fact]
    public async Task A_foreign_close_all_stop_is_warned_once_shown_and_retried_with_a_doubling_back_off_not_every_step()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T10:00:00Z", CultureInfo.InvariantCulture));
        var stops = new ScriptedStops { Foreign = new ProtectiveStopOrder("web_hand_1", 42, OrderSide.Sell, 90_000m, "NEW") };
        var keeper = new ProtectiveStopKeeper(stops, Settings(), clock);
        var context = Context(LongBook(), out var logged);

        // One step a minute for two hours, the hand-placed stop resting all along.
        for (var step = 0; step < 120; step++)
        {
            await keeper.SyncAsync(context, CancellationToken.None);
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        output.WriteLine($"fault-suite: foreign-stop steps=120 placement-tries={stops.PlaceCalls} warnings=1");
        // Back-off 1, 2, 4, 8, 16, 30, 30… minutes: 7 tries in 120 minutes, not 120.
        Assert.InRange(stops.PlaceCalls, 6, 8);
        Assert.Equal(stops.PlaceCalls, keeper.ForeignRefusals);
        Assert.Null(keeper.Live);
        Assert.NotNull(keeper.Problem);
        Assert.Contains("web_hand_1", keeper.Problem);
        Assert.Contains("42", keeper.Problem);
        Assert.Single(logged(), m => m.Contains("-4130", StringComparison.Ordinal) && m.Contains("web_hand_1", StringComparison.Ordinal));

        // The operator cancels it: at the next try the stop is placed, the problem is gone.
        stops.Foreign = null;
        for (var step = 0; step < 40 && keeper.Live is null; step++)
        {
            await keeper.SyncAsync(context, CancellationToken.None);
            clock.Advance(TimeSpan.FromMinutes(1));
        }
        Assert.NotNull(keeper.Live);
        Assert.Null(keeper.Problem);
    }

    [Fact]
    public async Task A_peak_rising_a_little_keeps_the_stop_and_a_rise_past_half_the_slippage_margin_moves_it()
    {
        var clock = new FakeTimeProvider();
        var stops = new ScriptedStops();
        var keeper = new ProtectiveStopKeeper(stops, Settings(slippage: 0.002), clock);
        var book = LongBook();
        var context = Context(book);
        await keeper.SyncAsync(context, CancellationToken.None);
        Assert.Equal(1, stops.PlaceCalls);

        // The price climbs 0.01 % a step for 200 steps: the peak follows it, and so does the wanted stop.
        var moves = 0;
        for (var step = 1; step <= 200; step++)
        {
            var price = 100_000 * (1 + 0.0001 * step);
            book.MaxDrawdown(price); // step B: the running peak
            var before = keeper.Live!.TriggerPrice;
            await keeper.SyncAsync(context, CancellationToken.None);
            if (keeper.Live!.TriggerPrice != before) moves++;
            var p = book.Position!;
            var wanted = ProtectiveStopPrice.For(p.Side, p.Quantity, p.EntryPrice, book.Balance + p.Margin, book.PeakEquity, 0.25, 0.0004, 0.002, 0.1m)!.Value;
            // Never tighter than wanted, never looser than half the slippage margin.
            Assert.InRange(keeper.Live.TriggerPrice, wanted * (1 - 0.001m), wanted);
        }
        output.WriteLine($"fault-suite: stop-hysteresis steps=200 peak-rises=200 stop-moves={moves} algo-calls={stops.PlaceCalls + stops.CancelCalls} (without the rule: 400) live-max={stops.PeakLive}");
        Assert.Equal(1 + 2 * moves, stops.PlaceCalls + stops.CancelCalls);
        Assert.InRange(moves, 1, 40); // without the rule: a move (cancel + place) at almost every one of the 200 steps
        Assert.Equal(1, stops.PeakLive);
    }

    [Theory]
    [InlineData(PositionSide.Long, 100.0, 100.0, true)]
    [InlineData(PositionSide.Long, 99.96, 100.0, true)]   // looser by 0.04 % < 0.05 %
    [InlineData(PositionSide.Long, 99.9, 100.0, false)]   // looser by 0.1 % > half of 0.1 %
    [InlineData(PositionSide.Long, 100.1, 100.0, false)]  // tighter: would close before the limit
    [InlineData(PositionSide.Short, 100.04, 100.0, true)]
    [InlineData(PositionSide.Short, 100.1, 100.0, false)]
    [InlineData(PositionSide.Short, 99.9, 100.0, false)]
    public void The_rule_keeps_a_stop_only_within_half_the_slippage_margin_on_the_loose_side(PositionSide side, double live, double wanted, bool keeps) =>
        Assert.Equal(keeps, ProtectiveStopPrice.Keeps(side, (decimal)live, (decimal)wanted, 0.001));

    [Fact]
    public void Without_a_slippage_margin_the_stop_follows_every_tick() =>
        Assert.False(ProtectiveStopPrice.Keeps(PositionSide.Long, 99.9m, 100m, 0));

    private sealed class ScriptedStops : IProtectiveStops
    {
        private readonly List<ProtectiveStopOrder> _live = [];
        public ProtectiveStopOrder? Foreign { get; set; }
        public int PlaceCalls { get; private set; }
        public int CancelCalls { get; private set; }
        public int PeakLive { get; private set; }
        public bool TriggersReported => true;

        public Task<ExchangeResult<ProtectiveStopOrder>> PlaceStopAsync(string symbol, OrderSide side, string triggerPrice, string clientAlgoId, CancellationToken ct)
        {
            PlaceCalls++;
            if (Foreign is not null)
                return Task.FromResult(ExchangeResult<ProtectiveStopOrder>.Fail(ExchangeErrorKind.Rejected, "An open stop or take profit order with GTE and closePosition in the direction is existing.", -4130));
            var stop = new ProtectiveStopOrder(clientAlgoId, PlaceCalls, side, decimal.Parse(triggerPrice, CultureInfo.InvariantCulture), "NEW");
            _live.Add(stop);
            PeakLive = Math.Max(PeakLive, _live.Count);
            return Task.FromResult(ExchangeResult<ProtectiveStopOrder>.Ok(stop));
        }

        public Task<ExchangeResult<ProtectiveStopOrder?>> QueryStopAsync(string symbol, string clientAlgoId, CancellationToken ct) =>
            Task.FromResult(ExchangeResult<ProtectiveStopOrder?>.Ok(_live.FirstOrDefault(o => o.ClientAlgoId == clientAlgoId)));

        public Task<ExchangeResult<ProtectiveStopOrder?>> CancelStopAsync(string symbol, string clientAlgoId, CancellationToken ct)
        {
            CancelCalls++;
            var found = _live.FirstOrDefault(o => o.ClientAlgoId == clientAlgoId);
            if (found is not null) _live.Remove(found);
            return Task.FromResult(ExchangeResult<ProtectiveStopOrder?>.Ok(found is null ? null : found with { Status = "CANCELED" }));
        }

        public Task<ExchangeResult<IReadOnlyList<ProtectiveStopOrder>>> OpenStopsAsync(string symbol, CancellationToken ct) =>
            Task.FromResult(ExchangeResult<IReadOnlyList<ProtectiveStopOrder>>.Ok(Foreign is { } f ? [.. _live, f] : [.. _live]));

        public Task<ExchangeResult<int>> CancelAllStopsAsync(string symbol, CancellationToken ct)
        {
            var n = _live.Count;
            _live.Clear();
            return Task.FromResult(ExchangeResult<int>.Ok(n));
        }
    }

    private sealed class NoExchange : IExchange
    {
        public string Name => "scripted";
        public bool IsLive => false;
        public Task<ExchangeResult<SymbolRules>> GetSymbolRulesAsync(string symbol, CancellationToken ct) => throw new NotSupportedException();
        public Task<ExchangeResult<AccountSnapshot>> GetAccountAsync(CancellationToken ct) => throw new NotSupportedException();
        public Task<ExchangeResult<PositionSnapshot>> GetPositionAsync(string symbol, CancellationToken ct) => throw new NotSupportedException();
        public Task<ExchangeResult<bool>> SetLeverageAsync(string symbol, int leverage, CancellationToken ct) => throw new NotSupportedException();
        public Task<ExchangeResult<OrderFill>> PlaceMarketOrderAsync(MarketOrderRequest request, CancellationToken ct) => throw new NotSupportedException();
        public Task<ExchangeResult<int>> CancelAllOrdersAsync(string symbol, CancellationToken ct) => throw new NotSupportedException();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
