namespace Afml.Core.Agent;

/// <summary>
/// The model's <c>market</c> input exactly as the training env built it: the last <c>window</c> feature rows,
/// oldest first, scaled the way scikit-learn scales a float32 frame in place — each value rounded to float32,
/// then <c>x −= mean</c> and <c>x /= scale</c>, each computed in double and rounded to float32 after each op.
/// (A single rounding of <c>(x − mean) / scale</c> does not reproduce the trainer.) Keeps a ring of scaled rows,
/// so one update is O(features).
/// </summary>
public sealed class ObservationBuilder
{
    private readonly double[] _mean;
    private readonly double[] _scale;
    private readonly float[] _ring;
    private int _next;
    private int _count;

    public ObservationBuilder(StandardScalerParams scaler, int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        _mean = scaler.Mean;
        _scale = scaler.Scale;
        Window = window;
        Features = scaler.FeatureCount;
        _ring = new float[window * Features];
    }

    public int Window { get; }
    public int Features { get; }

    /// <summary>True once <see cref="Window"/> rows have been pushed.</summary>
    public bool IsReady => _count >= Window;

    /// <summary>Adds the feature row of the newest candle (double, scaler order, no NaN).</summary>
    public void Push(ReadOnlySpan<double> features)
    {
        if (features.Length != Features) throw new ArgumentException($"expected {Features} features, got {features.Length}", nameof(features));
        var row = _ring.AsSpan(_next * Features, Features);
        for (var j = 0; j < Features; j++)
        {
            var x = (float)features[j];
            var centred = (float)(x - _mean[j]);
            row[j] = (float)(centred / _scale[j]);
        }
        _next = (_next + 1) % Window;
        if (_count < Window) _count++;
    }

    /// <summary>Writes the window, row-major, oldest row first, into <paramref name="market"/> (Window × Features).</summary>
    public void CopyMarket(Span<float> market)
    {
        if (!IsReady) throw new InvalidOperationException($"the observation window needs {Window} rows, has {_count}");
        if (market.Length != _ring.Length) throw new ArgumentException($"expected {_ring.Length} values", nameof(market));
        var split = _next * Features; // the oldest row starts where the next write goes
        _ring.AsSpan(split).CopyTo(market);
        _ring.AsSpan(0, split).CopyTo(market[(_ring.Length - split)..]);
    }
}
