namespace Afml.Core.Agent.Sb3;

/// <summary>
/// The deterministic SAC actor of an SB3 <c>MultiInputPolicy</c>: each Dict key flattened and concatenated in the
/// space's (sorted) key order, the <c>latent_pi</c> stack of Linear + activation, then <c>mu</c>; the action is
/// <c>tanh(mu)</c>.
/// </summary>
public sealed record ActorNetwork(IReadOnlyList<ObservationInput> Inputs, IReadOnlyList<DenseLayer> Hidden, DenseLayer Mu, ActorActivation Activation)
{
    public int FeatureLength => Inputs.Sum(i => i.Length);
}
