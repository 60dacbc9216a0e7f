namespace Afml.Core.Agent.Kernel;

/// <summary>The actor run by <see cref="DenseActorKernel"/>: the observation's Dict keys concatenated in the
/// graph's order (market, portfolio), one forward, SB3's un-scaling. Chosen only by <see cref="ActorKernelGate"/>,
/// after it agreed with OnnxRuntime.</summary>
public sealed class KernelPolicy : IPolicy
{
    private readonly DenseActorKernel _kernel;
    private readonly bool _marketFirst;
    private readonly float _low;
    private readonly float _high;

    public KernelPolicy(DenseActorKernel kernel, PolicyShape shape, float low = -1f, float high = 1f)
    {
        var inputs = kernel.Network.Inputs;
        if (inputs.Count != 2 || !inputs.Any(i => i.Name == OnnxPolicy.MarketInput && i.Length == shape.MarketLength)
            || !inputs.Any(i => i.Name == OnnxPolicy.PortfolioInput && i.Length == shape.PortfolioSize))
            throw new ArgumentException($"the network's inputs [{string.Join(", ", inputs.Select(i => $"{i.Name}:{i.Length}"))}] are not market:{shape.MarketLength} and portfolio:{shape.PortfolioSize}", nameof(kernel));
        _kernel = kernel;
        _marketFirst = inputs[0].Name == OnnxPolicy.MarketInput;
        Shape = shape;
        _low = low;
        _high = high;
    }

    public PolicyShape Shape { get; }

    public KernelPath Path => _kernel.Path;

    /// <summary>The raw tanh output of the last <see cref="Predict"/> call (before un-scaling).</summary>
    public float LastTanh { get; private set; }

    public float Predict(ReadOnlySpan<float> market, ReadOnlySpan<float> portfolio)
    {
        var x = _kernel.Input;
        if (market.Length != Shape.MarketLength || portfolio.Length != Shape.PortfolioSize)
            throw new ArgumentException($"observation is {market.Length} + {portfolio.Length} values; the model takes {Shape.MarketLength} + {Shape.PortfolioSize}");
        if (_marketFirst)
        {
            market.CopyTo(x);
            portfolio.CopyTo(x[market.Length..]);
        }
        else
        {
            portfolio.CopyTo(x);
            market.CopyTo(x[portfolio.Length..]);
        }
        LastTanh = _kernel.Forward();
        return ActionScaling.Unscale(LastTanh, _low, _high);
    }

    public void Dispose() { }
}
