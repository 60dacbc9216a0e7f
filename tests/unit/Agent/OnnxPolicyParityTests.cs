using Afml.Core;
using Afml.Core.Agent;

namespace Afml.Tests.Agent;

/// <summary>The ONNX actor under OnnxRuntime gives the trainer's deterministic actions (golden trace.csv).</summary>
public class OnnxPolicyParityTests
{
    [Fact]
    public void Actions_match_the_python_deterministic_predictions()
    {
        using var policy = OnnxPolicy.Load(Path.Combine(TestData.FixtureTrainingDir, "modelos", "modelo.onnx"));
        Assert.Equal(new PolicyShape(30, 16, 3), policy.Shape);
        var market = GoldenTable.Load(Path.Combine(TestData.GoldenDir, "obs_market.csv"));
        var portfolio = GoldenTable.Load(Path.Combine(TestData.GoldenDir, "obs_portfolio.csv"));
        var trace = GoldenTable.Load(Path.Combine(TestData.GoldenDir, "trace.csv"));
        var m = new float[policy.Shape.MarketLength];
        var p = new float[3];
        double maxTanh = 0, maxAction = 0;
        for (var k = 0; k < trace.Count; k++)
        {
            for (var i = 0; i < m.Length; i++) m[i] = (float)market.Double(k, market.Header[i + 1]);
            p[0] = (float)portfolio.Double(k, "equity_feat");
            p[1] = (float)portfolio.Double(k, "pnl_feat");
            p[2] = (float)portfolio.Double(k, "position_feat");
            var action = policy.Predict(m, p);
            maxTanh = Math.Max(maxTanh, Math.Abs(policy.LastTanh - trace.Double(k, "action_tanh")));
            maxAction = Math.Max(maxAction, Math.Abs(action - trace.Double(k, "action")));
        }
        Assert.True(maxTanh <= 1e-5, $"max |Δ tanh| = {maxTanh:E3}");
        Assert.True(maxAction <= 1e-5, $"max |Δ action| = {maxAction:E3}");
    }

    [Theory]
    [InlineData(0.6338265538215637f, 0.633826494216919f)] // trace step 0: action_tanh → action
    [InlineData(-1f, -1f)]
    [InlineData(1f, 1f)]
    public void Unscale_rerounds_like_sb3(float tanh, float expected) =>
        Assert.Equal(expected, ActionScaling.Unscale(tanh));

    [Fact]
    public void Missing_model_is_a_clear_error()
    {
        var ex = Assert.Throws<AfmlException>(() => OnnxPolicy.Load("/nonexistent/modelo.onnx"));
        Assert.Equal("ModelNotFound", ex.ErrorId);
        Assert.Contains("/nonexistent/modelo.onnx", ex.Message);
    }
}
