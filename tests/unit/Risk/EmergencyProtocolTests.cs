using Afml.Core.Exchange;
using Afml.Core.Risk;
using Microsoft.Extensions.Time.Testing;

namespace Afml.Tests.Risk;

/// <summary>The finishing emergency protocol on a scripted venue and a fake clock (no test sleeps).</summary>
public class EmergencyProtocolTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-12-02T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A one-symbol venue whose calls can be made to fail; fills are idempotent by client order id, as Binance's.</summary>
    internal sealed class ScriptedVenue(TimeProvider time) : IExchange
    {
        public double Position { get; set; }
        public int OpenOrders { get; set; }
        /// <summary>Which calls fail right now ("cancel", "position", "close").</summary>
        public Func<string, bool> Down { get; set; } = _ => false;
        /// <summary>The close is executed but its answer is lost (an unknown outcome), this many times.</summary>
        public int LoseAnswers { get; set; }
        public double FillRatio { get; set; } = 1;
        public List<MarketOrderRequest> Requests { get; } = [];
        public Dictionary<string, OrderFill> Fills { get; } = [];
        public List<DateTimeOffset> Calls { get; } = [];
        public string Name => "scripted";
        public bool IsLive => false;

        public Task<ExchangeResult<int>> CancelAllOrdersAsync(string symbol, CancellationToken ct)
        {
            Calls.Add(time.GetUtcNow());
            if (Down("cancel")) return Task.FromResult(ExchangeResult<int>.Fail(ExchangeErrorKind.Network, "connection refused"));
            var n = OpenOrders;
            OpenOrders = 0;
            return Task.FromResult(ExchangeResult<int>.Ok(n));
        }

        public Task<ExchangeResult<PositionSnapshot>> GetPositionAsync(string symbol, CancellationToken ct)
        {
            Calls.Add(time.GetUtcNow());
            if (Down("position")) return Task.FromResult(ExchangeResult<PositionSnapshot>.Fail(ExchangeErrorKind.Network, "connection refused"));
            return Task.FromResult(ExchangeResult<PositionSnapshot>.Ok(new PositionSnapshot(symbol, Position, 100, 0, 1)));
        }

        public Task<ExchangeResult<OrderFill>> PlaceMarketOrderAsync(MarketOrderRequest r, CancellationToken ct)
        {
            Calls.Add(time.GetUtcNow());
            Requests.Add(r);
            if (Down("close")) return Task.FromResult(ExchangeResult<OrderFill>.Fail(ExchangeErrorKind.Network, "connection refused"));
            if (!Fills.TryGetValue(r.ClientOrderId, out var fill))
            {
                Assert.True(r.ReduceOnly, "an emergency close must be reduce-only");
                var qty = Math.Min(r.Quantity, Math.Abs(Position)) * FillRatio;
                Position += r.Side == OrderSide.Buy ? qty : -qty;
                fill = new OrderFill(r.ClientOrderId, Fills.Count + 1, r.Side, qty > 0 ? OrderStatus.Filled : OrderStatus.Expired, qty, 101, qty * 0.01);
                Fills[r.ClientOrderId] = fill;
            }
            if (LoseAnswers > 0)
            {
                LoseAnswers--;
                return Task.FromResult(ExchangeResult<OrderFill>.Fail(ExchangeErrorKind.Unknown, "timeout: outcome unknown"));
            }
            return Task.FromResult(ExchangeResult<OrderFill>.Ok(fill));
        }

        public Task<ExchangeResult<SymbolRules>> GetSymbolRulesAsync(string s, CancellationToken ct) => Task.FromResult(ExchangeResult<SymbolRules>.Ok(SymbolRules.Unrestricted(s)));
        public Task<ExchangeResult<AccountSnapshot>> GetAccountAsync(CancellationToken ct) => Task.FromResult(ExchangeResult<AccountSnapshot>.Ok(new AccountSnapshot(1000, 1000, 0, 1000)));
        public Task<ExchangeResult<bool>> SetLeverageAsync(string s, int l, CancellationToken ct) => Task.FromResult(ExchangeResult<bool>.Ok(true));
        public ValueTask DisposeAsync() => default;
    }

    /// <summary>Runs the protocol, advancing the fake clock a second at a time until it ends (bounded).</summary>
    private static async Task<(EmergencyOutcome Outcome, List<EmergencyAttempt> Attempts)> RunAsync(FakeTimeProvider time, IExchange venue, EmergencyProtocolOptions? options = null)
    {
        var attempts = new List<EmergencyAttempt>();
        var run = new EmergencyProtocol(venue, time, options).RunAsync("BTCUSDT", "test", "afml-20261202_100000-ab12-7", 100, CancellationToken.None, attempts.Add);
        for (var i = 0; i < 100_000 && !run.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Yield();
        }
        Assert.True(run.IsCompleted, "the protocol never ended");
        return (await run, attempts);
    }

    [Fact]
    public async Task Flat_and_nothing_open_ends_FLAT_in_one_round_without_an_order()
    {
        var time = new FakeTimeProvider(T0);
        var venue = new ScriptedVenue(time) { OpenOrders = 2 };
        var (outcome, attempts) = await RunAsync(time, venue);
        Assert.True(outcome.Complete);
        Assert.Equal(EmergencyStates.Flat, outcome.State);
        Assert.Equal(2, outcome.OrdersCancelled);
        Assert.Equal(0, outcome.PositionsClosed);
        Assert.Empty(venue.Requests);
        Assert.Equal(["cancel", "position"], attempts.Select(a => a.Step));
        Assert.Equal("", outcome.StillOpen);
    }

    [Theory]
    [InlineData(0.5, OrderSide.Sell)]
    [InlineData(-0.25, OrderSide.Buy)]
    public async Task An_open_position_is_closed_reduce_only_and_read_back_flat(double position, OrderSide side)
    {
        var time = new FakeTimeProvider(T0);
        var venue = new ScriptedVenue(time) { Position = position };
        var (outcome, attempts) = await RunAsync(time, venue);
        Assert.Equal(EmergencyStates.Flat, outcome.State);
        Assert.Equal(0, venue.Position);
        var close = Assert.Single(venue.Requests);
        Assert.Equal(side, close.Side);
        Assert.True(close.ReduceOnly);
        Assert.Equal(Math.Abs(position), close.Quantity);
        Assert.Equal("afml-20261202_100000-ab12-7-em", close.ClientOrderId);
        Assert.Equal(Math.Abs(position), outcome.CloseFill!.ExecutedQuantity);
        Assert.Equal(["cancel", "position", "close", "position"], attempts.Select(a => a.Step));
        Assert.Equal(T0, time.GetUtcNow()); // no wait when nothing failed
    }

    [Fact]
    public async Task A_venue_unreachable_for_90_seconds_is_waited_out_with_back_off_and_the_position_closed_once()
    {
        var time = new FakeTimeProvider(T0);
        var venue = new ScriptedVenue(time) { Position = 0.5, OpenOrders = 1 };
        venue.Down = _ => time.GetUtcNow() < T0.AddSeconds(90);
        var (outcome, attempts) = await RunAsync(time, venue);

        Assert.Equal(EmergencyStates.Flat, outcome.State);
        Assert.Equal(0, venue.Position);
        Assert.Equal(1, outcome.OrdersCancelled);
        Assert.Single(venue.Fills); // one close filled, never two
        Assert.True(time.GetUtcNow() >= T0.AddSeconds(90));
        Assert.True(time.GetUtcNow() < T0.AddSeconds(90 + 16), "it waited longer than one capped back-off after the venue came back");
        Assert.True(outcome.Rounds >= 6, $"rounds {outcome.Rounds}");
        Assert.Equal(attempts.Count, outcome.Attempts);
        Assert.Contains(attempts, a => !a.Success);
        // doubling back-off, capped: 1, 2, 4, 8, 15, 15 … seconds between rounds
        var roundStarts = attempts.GroupBy(a => a.Round).Select(g => g.First().At).ToList();
        var gaps = roundStarts.Zip(roundStarts.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
        Assert.Equal([1, 2, 4, 8, 15], gaps.Take(5));
        Assert.All(gaps, g => Assert.True(g <= 15));
    }

    [Fact]
    public async Task A_venue_down_for_longer_than_the_bound_ends_EMERGENCY_INCOMPLETE_naming_the_open_position()
    {
        var time = new FakeTimeProvider(T0);
        var venue = new ScriptedVenue(time) { Position = -0.3 };
        venue.Down = step => step == "close"; // the position reads, the close never goes through
        var (outcome, attempts) = await RunAsync(time, venue, new EmergencyProtocolOptions(GiveUpAfter: TimeSpan.FromMinutes(2)));

        Assert.False(outcome.Complete);
        Assert.Equal(EmergencyStates.Incomplete, outcome.State);
        Assert.Equal(-0.3, outcome.RemainingQuantity);
        Assert.True(outcome.RemainingKnown);
        Assert.Contains("BTCUSDT -0.3 abierta", outcome.StillOpen);
        Assert.StartsWith("EMERGENCY_INCOMPLETE: ", outcome.Describe());
        Assert.Equal(T0.AddMinutes(2), time.GetUtcNow()); // ends at the bound, not later
        Assert.All(venue.Requests, r => Assert.Equal("afml-20261202_100000-ab12-7-em", r.ClientOrderId)); // one id until its outcome is known
        Assert.Single(outcome.Problems); // the same failure is one problem, not one per round
        Assert.True(attempts.Count(a => a.Step == "close") > 5);
    }

    [Fact]
    public async Task A_position_never_readable_is_reported_unknown()
    {
        var time = new FakeTimeProvider(T0);
        var venue = new ScriptedVenue(time) { Position = 1 };
        venue.Down = _ => true;
        var (outcome, _) = await RunAsync(time, venue, new EmergencyProtocolOptions(GiveUpAfter: TimeSpan.FromSeconds(30)));
        Assert.Equal(EmergencyStates.Incomplete, outcome.State);
        Assert.False(outcome.RemainingKnown);
        Assert.False(outcome.OrdersCancelledConfirmed);
        Assert.Contains("desconocida", outcome.StillOpen);
        Assert.Contains("sin cancelar", outcome.StillOpen);
        Assert.Empty(venue.Requests);
    }

    [Fact]
    public async Task A_close_whose_answer_was_lost_is_looked_up_by_the_same_id_and_never_doubled()
    {
        var time = new FakeTimeProvider(T0);
        var venue = new ScriptedVenue(time) { Position = 0.5, LoseAnswers = 1 };
        var (outcome, _) = await RunAsync(time, venue);
        Assert.Equal(EmergencyStates.Flat, outcome.State);
        Assert.Single(venue.Fills);
        Assert.Equal(0, venue.Position);
        Assert.Equal(0.5, outcome.CloseFill!.ExecutedQuantity);
    }

    [Fact]
    public async Task A_partial_fill_gets_a_second_close_with_its_own_id_until_flat()
    {
        var time = new FakeTimeProvider(T0);
        var venue = new ScriptedVenue(time) { Position = 0.8, FillRatio = 0.5 };
        var (outcome, _) = await RunAsync(time, venue, new EmergencyProtocolOptions(GiveUpAfter: TimeSpan.FromSeconds(5)));
        // 0.8 → 0.4 → 0.2 → … halving each close: within the bound it is not flat, and every close has its own id.
        Assert.Equal(venue.Fills.Count, venue.Requests.Select(r => r.ClientOrderId).Distinct().Count());
        Assert.Equal(["-em", "-em2", "-em3"], venue.Requests.Take(3).Select(r => r.ClientOrderId[^(r.ClientOrderId.EndsWith("-em", StringComparison.Ordinal) ? 3 : 4)..]));
        Assert.Equal(0.8 - venue.Position, outcome.CloseFill!.ExecutedQuantity, 12);
        venue.FillRatio = 1;
        var (second, _) = await RunAsync(time, venue);
        Assert.Equal(EmergencyStates.Flat, second.State);
    }

    [Fact]
    public void Close_ids_stay_within_Binance_s_36_characters()
    {
        var prefix = Afml.Core.Exchange.ClientOrderIds.For("20261202_100000-ab12", 123456);
        for (var n = 1; n < 200; n++)
            Assert.True(Afml.Core.Exchange.ClientOrderIds.IsValid(EmergencyProtocol.CloseOrderId(prefix, n)), EmergencyProtocol.CloseOrderId(prefix, n));
    }
}
