using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Afml.Core.Agent.Sb3;

namespace Afml.Core.Agent.Kernel;

/// <summary>Which instruction path a <see cref="DenseActorKernel"/> runs.</summary>
public enum KernelPath
{
    /// <summary>256-bit AVX2 loads with FMA3, 64 outputs (8 registers) per pass over the input.</summary>
    Avx2Fma,

    /// <summary>128-bit vectors with <see cref="Vector128.FusedMultiplyAdd{T}"/> (hardware FMA where the CPU has it,
    /// a correctly rounded software fused multiply-add where not): the same arithmetic as <see cref="Avx2Fma"/>.</summary>
    Vector128,
}

/// <summary>
/// The SAC actor's deterministic forward (dense layers → activation → mu → tanh) written by hand. Each output is
/// <c>bias + Σₖ x[k]·W[o,k]</c> accumulated in float32 in input order with a fused multiply-add per term, in blocks
/// of 256 inputs added to the bias one after another, which is how OnnxRuntime's MLAS SGEMM accumulates a row of a
/// prepacked Gemm (vectorised across outputs, sequential along k); both paths
/// round identically, so the AVX2 and the fallback give bit-identical actions. Weights are packed once, transposed
/// to [k][outputs] in panels of up to 64 outputs so a pass streams them contiguously. Not thread-safe (one kernel
/// per session, like one InferenceSession per session); <see cref="Forward"/> allocates nothing.
/// </summary>
public sealed class DenseActorKernel
{
    private const int Panel = 64;

    /// <summary>MLAS packs a constant Gemm weight in blocks of 256 along k and adds each block's sum to the output
    /// (which starts as the bias): <c>y = (bias + Σ₀²⁵⁵) + Σ₂₅₆…</c>. Same blocks here, same rounding.</summary>
    private const int BlockK = 256;
    private readonly Layer[] _layers;
    private readonly float[][] _buffers;
    private readonly ActorActivation _activation;

    private sealed record Layer(int Inputs, int Outputs, int PaddedOutputs, float[] Packed, float[] Bias);

    public DenseActorKernel(ActorNetwork net, KernelPath? path = null)
    {
        if (!Supports(net.Activation)) throw new NotSupportedException($"activation {net.Activation} is not implemented in the kernel");
        Network = net;
        Path = path ?? (Avx2.IsSupported && Fma.IsSupported ? KernelPath.Avx2Fma : KernelPath.Vector128);
        if (Path == KernelPath.Avx2Fma && !(Avx2.IsSupported && Fma.IsSupported)) throw new PlatformNotSupportedException("this CPU has no AVX2/FMA3");
        _activation = net.Activation;
        _layers = [.. net.Hidden.Append(net.Mu).Select(Pack)];
        InputLength = net.FeatureLength;
        _buffers = [new float[Pad(InputLength)], .. _layers.Select(l => new float[l.PaddedOutputs])];
    }

    public static bool Supports(ActorActivation a) => a is ActorActivation.ReLU or ActorActivation.LeakyReLU or ActorActivation.Tanh or ActorActivation.Sigmoid;

    public ActorNetwork Network { get; }
    public KernelPath Path { get; }
    public int InputLength { get; }

    /// <summary>The buffer holding the concatenated observation for the next <see cref="Forward"/>.</summary>
    public Span<float> Input => _buffers[0].AsSpan(0, InputLength);

    /// <summary>tanh(mu) for the observation in <see cref="Input"/>.</summary>
    public float Forward()
    {
        for (var l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            var y = _buffers[l + 1];
            if (Path == KernelPath.Avx2Fma) DenseAvx2(_buffers[l], layer, y);
            else DenseVector128(_buffers[l], layer, y);
            if (l < _layers.Length - 1) Activate(y.AsSpan(0, layer.Outputs));
        }
        return MathF.Tanh(_buffers[^1][0]);
    }

    private static int Pad(int n) => (n + 7) & ~7;

    private static Layer Pack(DenseLayer d)
    {
        var padded = Pad(d.Outputs);
        var packed = new float[padded * d.Inputs];
        // Panel p holds outputs [p·64, p·64 + width) as [k][width], contiguous.
        var offset = 0;
        for (var start = 0; start < padded; start += Panel)
        {
            var width = Math.Min(Panel, padded - start);
            for (var k = 0; k < d.Inputs; k++)
                for (var j = 0; j < width; j++)
                {
                    var o = start + j;
                    packed[offset + k * width + j] = o < d.Outputs ? d.Weight[o * d.Inputs + k] : 0f;
                }
            offset += width * d.Inputs;
        }
        var bias = new float[padded];
        d.Bias.CopyTo(bias, 0);
        return new Layer(d.Inputs, d.Outputs, padded, packed, bias);
    }

    private void Activate(Span<float> y)
    {
        switch (_activation)
        {
            case ActorActivation.ReLU:
                for (var i = 0; i < y.Length; i++) y[i] = y[i] > 0f ? y[i] : 0f;
                break;
            case ActorActivation.LeakyReLU:
                for (var i = 0; i < y.Length; i++) y[i] = y[i] >= 0f ? y[i] : y[i] * 0.01f;
                break;
            case ActorActivation.Tanh:
                for (var i = 0; i < y.Length; i++) y[i] = MathF.Tanh(y[i]);
                break;
            case ActorActivation.Sigmoid:
                for (var i = 0; i < y.Length; i++) y[i] = 1f / (1f + MathF.Exp(-y[i]));
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DenseAvx2(float[] xs, Layer layer, float[] ys)
    {
        var n = layer.Inputs;
        fixed (float* x = xs, w0 = layer.Packed, b = layer.Bias, y = ys)
        {
            var w = w0;
            var start = 0;
            for (; start + Panel <= layer.PaddedOutputs; start += Panel)
            {
                var bb = b + start;
                var r0 = Avx.LoadVector256(bb); var r1 = Avx.LoadVector256(bb + 8);
                var r2 = Avx.LoadVector256(bb + 16); var r3 = Avx.LoadVector256(bb + 24);
                var r4 = Avx.LoadVector256(bb + 32); var r5 = Avx.LoadVector256(bb + 40);
                var r6 = Avx.LoadVector256(bb + 48); var r7 = Avx.LoadVector256(bb + 56);
                for (var k0 = 0; k0 < n; k0 += BlockK)
                {
                    var end = Math.Min(n, k0 + BlockK);
                    var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
                    var a4 = a0; var a5 = a0; var a6 = a0; var a7 = a0;
                    for (var k = k0; k < end; k++, w += Panel)
                    {
                        var xv = Vector256.Create(x[k]);
                        a0 = Fma.MultiplyAdd(Avx.LoadVector256(w), xv, a0);
                        a1 = Fma.MultiplyAdd(Avx.LoadVector256(w + 8), xv, a1);
                        a2 = Fma.MultiplyAdd(Avx.LoadVector256(w + 16), xv, a2);
                        a3 = Fma.MultiplyAdd(Avx.LoadVector256(w + 24), xv, a3);
                        a4 = Fma.MultiplyAdd(Avx.LoadVector256(w + 32), xv, a4);
                        a5 = Fma.MultiplyAdd(Avx.LoadVector256(w + 40), xv, a5);
                        a6 = Fma.MultiplyAdd(Avx.LoadVector256(w + 48), xv, a6);
                        a7 = Fma.MultiplyAdd(Avx.LoadVector256(w + 56), xv, a7);
                    }
                    r0 = Avx.Add(r0, a0); r1 = Avx.Add(r1, a1); r2 = Avx.Add(r2, a2); r3 = Avx.Add(r3, a3);
                    r4 = Avx.Add(r4, a4); r5 = Avx.Add(r5, a5); r6 = Avx.Add(r6, a6); r7 = Avx.Add(r7, a7);
                }
                var yb = y + start;
                Avx.Store(yb, r0); Avx.Store(yb + 8, r1); Avx.Store(yb + 16, r2); Avx.Store(yb + 24, r3);
                Avx.Store(yb + 32, r4); Avx.Store(yb + 40, r5); Avx.Store(yb + 48, r6); Avx.Store(yb + 56, r7);
            }
            var width = layer.PaddedOutputs - start;
            for (var g = 0; g < width; g += 8)
            {
                var r = Avx.LoadVector256(b + start + g);
                var wg = w + g;
                for (var k0 = 0; k0 < n; k0 += BlockK)
                {
                    var end = Math.Min(n, k0 + BlockK);
                    var a = Vector256<float>.Zero;
                    for (var k = k0; k < end; k++, wg += width)
                        a = Fma.MultiplyAdd(Avx.LoadVector256(wg), Vector256.Create(x[k]), a);
                    r = Avx.Add(r, a);
                }
                Avx.Store(y + start + g, r);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DenseVector128(float[] xs, Layer layer, float[] ys)
    {
        var n = layer.Inputs;
        fixed (float* x = xs, w0 = layer.Packed, b = layer.Bias, y = ys)
        {
            var w = w0;
            for (var start = 0; start < layer.PaddedOutputs; start += Panel)
            {
                var width = Math.Min(Panel, layer.PaddedOutputs - start);
                for (var g = 0; g < width; g += 4)
                {
                    var r = Vector128.Load(b + start + g);
                    var wg = w + g;
                    for (var k0 = 0; k0 < n; k0 += BlockK)
                    {
                        var end = Math.Min(n, k0 + BlockK);
                        var a = Vector128<float>.Zero;
                        for (var k = k0; k < end; k++, wg += width)
                            a = Vector128.FusedMultiplyAdd(Vector128.Load(wg), Vector128.Create(x[k]), a);
                        r += a;
                    }
                    Vector128.Store(r, y + start + g);
                }
                w += width * n;
            }
        }
    }
}
