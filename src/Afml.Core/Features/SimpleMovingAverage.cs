using Afml.Core.Features.Kernels;

namespace Afml.Core.Features;

/// <summary>Streaming pandas-ta <c>sma</c>: <c>close.rolling(length, min_periods=length).mean()</c> with pandas 1.5's
/// running-sum kernel, so values match pandas to the last bit or nearly. O(1) per update; no allocation.</summary>
public sealed class SimpleMovingAverage
{
    private readonly SlidingWindow _window;
    private readonly RollingMeanKernel _mean = new();

    public SimpleMovingAverage(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        Length = length;
        _window = new SlidingWindow(length);
    }

    public int Length { get; }

    /// <summary>Inputs before the first defined output (the first value is at row <c>length − 1</c>).</summary>
    public int Lookback => Length - 1;

    /// <summary>Feeds the next value; returns the mean of the last <see cref="Length"/> values, NaN during warm-up.</summary>
    public double Update(double value)
    {
        if (_window.Push(value, out var evicted)) _mean.Remove(evicted);
        _mean.Add(value);
        return _mean.Mean(Length);
    }
}
