using Afml.Core.Portfolio;

namespace Afml.Tests.Portfolio;

public class ActionInterpreterTests
{
    private readonly ActionInterpreter _interpreter = new(0.05);

    [Theory]
    [InlineData(0.3f, null, TradeIntent.OpenLong, 0.3f)]
    [InlineData(-0.3f, null, TradeIntent.OpenShort, 0.3f)]
    [InlineData(0.3f, PositionSide.Short, TradeIntent.CloseShort, 0.3f)]
    [InlineData(-0.3f, PositionSide.Long, TradeIntent.CloseLong, 0.3f)]
    [InlineData(0.7f, PositionSide.Long, TradeIntent.ModifyLong, 0.7f)]
    [InlineData(-0.7f, PositionSide.Short, TradeIntent.ModifyShort, 0.7f)]
    [InlineData(0.04f, PositionSide.Long, TradeIntent.Hold, 0f)]
    [InlineData(-0.04f, null, TradeIntent.Hold, 0f)]
    public void Maps_the_action_and_position_to_the_env_branch(float action, PositionSide? current, TradeIntent intent, float pct)
    {
        var decision = _interpreter.Interpret(action, current);
        Assert.Equal(intent, decision.Intent);
        Assert.Equal(pct, decision.Pct);
        Assert.Equal(action, decision.Action);
    }

    [Fact]
    public void Compares_the_float32_action_with_the_threshold_in_double()
    {
        // float32(0.05) = 0.0500000007…, above the double threshold 0.05: numpy < 2 compares in double, so it trades.
        Assert.Equal(TradeIntent.OpenLong, _interpreter.Interpret(0.05f, null).Intent);
        Assert.Equal(TradeIntent.OpenShort, _interpreter.Interpret(-0.05f, null).Intent);
        Assert.Equal(TradeIntent.Hold, _interpreter.Interpret(BitDecrement(0.05f), null).Intent);
        Assert.Equal(TradeIntent.Hold, _interpreter.Interpret(float.NaN, null).Intent);
    }

    [Fact]
    public void Short_branch_pct_is_the_exact_float32_absolute_value()
    {
        var a = -0.633826494216919f;
        Assert.Equal(BitConverter.SingleToInt32Bits(-a), BitConverter.SingleToInt32Bits(_interpreter.Interpret(a, null).Pct));
    }

    [Theory]
    [InlineData(TradeIntent.Hold, "mantener")]
    [InlineData(TradeIntent.OpenLong, "long")]
    [InlineData(TradeIntent.CloseShort, "long")]
    [InlineData(TradeIntent.CloseLong, "short")]
    [InlineData(TradeIntent.ModifyShort, "short")]
    public void Action_type_is_the_branch(TradeIntent intent, string expected) =>
        Assert.Equal(expected, new TradeDecision(intent, 0.5f, 0.5f).ActionType);

    [Fact]
    public void Rejects_a_negative_threshold() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ActionInterpreter(-0.1));

    private static float BitDecrement(float x) => MathF.BitDecrement(x);
}
