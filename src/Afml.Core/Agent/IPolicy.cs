namespace Afml.Core.Agent;

/// <summary>A deterministic policy: one observation in, one action in the action space out.</summary>
public interface IPolicy : IDisposable
{
    /// <summary>Window × features of the <c>market</c> input, and the <c>portfolio</c> length.</summary>
    PolicyShape Shape { get; }

    /// <summary>The action as the env received it (float32, after SB3's un-scaling).</summary>
    float Predict(ReadOnlySpan<float> market, ReadOnlySpan<float> portfolio);
}

public sealed record PolicyShape(int Window, int Features, int PortfolioSize)
{
    public int MarketLength => Window * Features;
}

/// <summary>SB3's un-scaling of a tanh-squashed action from [-1, 1] to the action space, in float32 as numpy
/// computes it: <c>low + 0.5·(a + 1)·(high − low)</c>. For a [-1, 1] box this only re-rounds <c>a + 1</c>.</summary>
public static class ActionScaling
{
    public static float Unscale(float tanh, float low = -1f, float high = 1f)
    {
        var shifted = (float)(tanh + 1f);
        var half = (float)(0.5f * shifted);
        var spanned = (float)(half * (float)(high - low));
        return (float)(low + spanned);
    }
}
