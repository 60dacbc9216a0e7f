namespace Afml.Core.Agent.Sb3;

/// <summary>The <c>torch.nn</c> activation classes SB3 accepts as <c>activation_fn</c> that we can express in ONNX
/// opset 13 exactly as torch computes them with default arguments.</summary>
public enum ActorActivation
{
    ReLU,
    Tanh,
    Sigmoid,
    LeakyReLU,
    ELU,
    SELU,
    SiLU,
    GELU,
    Softplus,
    Mish,
}
