using Afml.Core.Agent.Sb3;

namespace Afml.Tests.Agent;

/// <summary>The actor's forward pass in plain C# (double accumulation), to check the ONNX graphs we write.</summary>
internal static class ActorReference
{
    /// <summary>A float32 forward pass in plain C# (reference for tests; not the production path).</summary>
    public static float[] Forward(ActorNetwork net, params float[][] inputs)
    {
        var x = inputs.SelectMany(v => v).ToArray();
        foreach (var layer in net.Hidden) x = Apply(net.Activation, Linear(layer, x));
        var mu = Linear(net.Mu, x);
        return mu.Select(MathF.Tanh).ToArray();
    }

    private static float[] Linear(DenseLayer l, float[] x)
    {
        var y = new float[l.Outputs];
        for (var o = 0; o < l.Outputs; o++)
        {
            double s = l.Bias[o];
            for (var i = 0; i < l.Inputs; i++) s += (double)l.Weight[o * l.Inputs + i] * x[i];
            y[o] = (float)s;
        }
        return y;
    }

    private static float[] Apply(ActorActivation a, float[] v) => v.Select(x => (float)Activate(a, x)).ToArray();

    private static double Activate(ActorActivation a, double x) => a switch
    {
        ActorActivation.ReLU => Math.Max(0, x),
        ActorActivation.Tanh => Math.Tanh(x),
        ActorActivation.Sigmoid => 1 / (1 + Math.Exp(-x)),
        ActorActivation.LeakyReLU => x >= 0 ? x : 0.01 * x,
        ActorActivation.ELU => x > 0 ? x : Math.Exp(x) - 1,
        ActorActivation.SELU => 1.0507009873554804934193349852946 * (x > 0 ? x : 1.6732632423543772848170429916717 * (Math.Exp(x) - 1)),
        ActorActivation.SiLU => x / (1 + Math.Exp(-x)),
        ActorActivation.GELU => 0.5 * x * (1 + Erf(x / Math.Sqrt(2))),
        ActorActivation.Softplus => Math.Log(1 + Math.Exp(x)),
        ActorActivation.Mish => x * Math.Tanh(Math.Log(1 + Math.Exp(x))),
        _ => throw new InvalidOperationException(a.ToString()),
    };

    // Numerical Recipes' erfc fit (|error| < 1.2e-7): enough for a reference compared at 1e-5.
    private static double Erf(double x)
    {
        var t = 1 / (1 + 0.5 * Math.Abs(x));
        var y = 1 - t * Math.Exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
            t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? y : -y;
    }
}
