using Afml.Core.Exchange;

namespace Afml.Tests.Exchange;

/// <summary>Past orders are remembered as far as idempotency needs (a step's retries), not for the whole run.</summary>
public class RecentOrdersTests
{
    private static OrderFill Fill(string id, long orderId) => new(id, orderId, OrderSide.Buy, OrderStatus.Filled, 1, 100, 0.1);

    [Fact]
    public void Keeps_the_last_capacity_outcomes_and_forgets_the_oldest()
    {
        var recent = new RecentOrders(capacity: 3);
        for (var i = 1; i <= 5; i++) recent[$"id-{i}"] = Fill($"id-{i}", i);
        Assert.Equal(3, recent.Count);
        Assert.False(recent.TryGetValue("id-1", out _));
        Assert.False(recent.TryGetValue("id-2", out _));
        Assert.True(recent.TryGetValue("id-5", out var last));
        Assert.Equal(5, last.OrderId);
    }

    [Fact]
    public void Replacing_an_outcome_does_not_evict_another()
    {
        var recent = new RecentOrders(capacity: 2);
        recent["a"] = Fill("a", 1);
        recent["b"] = Fill("b", 2);
        recent["b"] = Fill("b", 3);
        Assert.Equal(2, recent.Count);
        Assert.True(recent.TryGetValue("a", out _));
        Assert.True(recent.TryGetValue("b", out var b));
        Assert.Equal(3, b.OrderId);
    }

    [Fact]
    public async Task Simulated_exchange_answers_a_recent_resend_with_the_original_fill_and_stays_bounded_over_a_long_run()
    {
        var exchange = new SimulatedExchange(1_000_000, 0.001, 0.001);
        MarketOrderRequest Order(int step, OrderSide side) => new("BTCUSDT", side, 0.01, false, $"afml-test-{step}", 100 + step % 7);
        for (var step = 0; step < 10_000; step++)
            Assert.True((await exchange.PlaceMarketOrderAsync(Order(step, step % 2 == 0 ? OrderSide.Buy : OrderSide.Sell), default)).Success);
        var position = (await exchange.GetPositionAsync("BTCUSDT", default)).Data!.Quantity;

        // The last step's retry: same id → same fill, position unchanged.
        var first = (await exchange.PlaceMarketOrderAsync(Order(10_000, OrderSide.Buy), default)).Data!;
        var resent = (await exchange.PlaceMarketOrderAsync(Order(10_000, OrderSide.Buy), default)).Data!;
        Assert.Equal(first, resent);
        Assert.Equal(position + 0.01, (await exchange.GetPositionAsync("BTCUSDT", default)).Data!.Quantity, 12);

        // An id from 10,000 orders ago is no longer remembered: the memory does not grow with the run.
        var ancient = (await exchange.PlaceMarketOrderAsync(Order(0, OrderSide.Buy), default)).Data!;
        Assert.NotEqual(1, ancient.OrderId);
    }
}
