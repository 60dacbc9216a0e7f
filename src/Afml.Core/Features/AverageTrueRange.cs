using Afml.Core.Features.Kernels;

namespace Afml.Core.Features;

/// <summary>Streaming pandas-ta <c>atr</c> with its default RMA smoothing (column <c>ATRr_length</c>): true range =
/// max(|high − low|, |high − prev close|, |prev close − low|) (NaN on the first row), smoothed with
/// <c>ewm(alpha=1/length, min_periods=length)</c>, <c>adjust=True</c>. First value at row <c>length</c>.
/// O(1) per update; no allocation.</summary>
/// <remarks>high − low goes through pandas-ta's <c>non_zero_range</c>, applied per row (see <see cref="NonZeroRange"/>).</remarks>
public sealed class AverageTrueRange
{
    private readonly EwmMeanKernel _rma;
    private double _previousClose = double.NaN;
    private bool _first = true;

    public AverageTrueRange(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        Length = length;
        _rma = EwmMeanKernel.FromAlpha(1.0 / length, adjust: true, minPeriods: length);
    }

    public int Length { get; }

    /// <summary>Inputs before the first defined output.</summary>
    public int Lookback => Length;

    /// <summary>Feeds the next candle; returns the ATR, NaN during warm-up.</summary>
    public double Update(double high, double low, double close)
    {
        var trueRange = _first
            ? double.NaN // true_range.iloc[:drift] = NaN
            : NanMax(Math.Abs(NonZeroRange.Of(high, low)), Math.Abs(high - _previousClose), Math.Abs(_previousClose - low));
        _first = false;
        _previousClose = close;
        return _rma.Update(trueRange);
    }

    /// <summary>DataFrame.max(axis=1): the largest non-NaN entry, NaN when all are NaN.</summary>
    private static double NanMax(double a, double b, double c)
    {
        var max = double.NaN;
        if (!double.IsNaN(a)) max = a;
        if (!double.IsNaN(b) && !(b <= max)) max = b;
        if (!double.IsNaN(c) && !(c <= max)) max = c;
        return max;
    }
}
