using Afml.Core.Features.Kernels;

namespace Afml.Core.Features;

/// <summary>Streaming pandas-ta <c>ema</c> (pure-pandas path, <c>sma=True</c>, <c>adjust=False</c>): the first
/// <c>length − 1</c> rows are NaN, row <c>length − 1</c> holds the mean of the first <c>length</c> values (numpy's
/// pairwise sum / n), then <c>ewm(span=length, adjust=False)</c> continues from it: y = ((1−α)·y₋₁ + α·x) / ((1−α) + α),
/// α = 2/(length+1), exactly as pandas evaluates it. O(1) per update; no allocation.</summary>
public sealed class ExponentialMovingAverage
{
    private readonly double[] _seed;
    private readonly EwmMeanKernel _ewm;
    private int _seen;

    public ExponentialMovingAverage(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        Length = length;
        _seed = new double[length];
        _ewm = EwmMeanKernel.FromSpan(length, adjust: false, minPeriods: 0);
    }

    public int Length { get; }

    /// <summary>Inputs before the first defined output (the seed at row <c>length − 1</c>).</summary>
    public int Lookback => Length - 1;

    /// <summary>Feeds the next value; returns the EMA, NaN during warm-up.</summary>
    public double Update(double value)
    {
        if (_seen < _seed.Length)
        {
            _seed[_seen++] = value;
            // pandas-ta overwrites rows 0..length-2 with NaN and row length-1 with the seed before calling ewm;
            // leading NaN rows leave the ewm state untouched, so starting the kernel at the seed is the same.
            return _seen < _seed.Length ? double.NaN : _ewm.Update(NumpySum.NanMean(_seed));
        }

        return _ewm.Update(value);
    }
}
