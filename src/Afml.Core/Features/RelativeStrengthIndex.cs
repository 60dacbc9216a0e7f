using Afml.Core.Features.Kernels;

namespace Afml.Core.Features;

/// <summary>Streaming pandas-ta <c>rsi</c> (pure-pandas path): d = close.diff() (first row NaN); up = max(d, 0),
/// down = min(d, 0); both smoothed with pandas-ta's <c>rma</c> = <c>ewm(alpha=1/length, min_periods=length)</c> with
/// pandas' default <c>adjust=True</c>; RSI = 100·up / (up + |down|). First value at row <c>length</c>.
/// O(1) per update; no allocation.</summary>
public sealed class RelativeStrengthIndex
{
    private const double Scalar = 100;
    private readonly EwmMeanKernel _up;
    private readonly EwmMeanKernel _down;
    private double _previous = double.NaN;

    public RelativeStrengthIndex(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        Length = length;
        _up = EwmMeanKernel.FromAlpha(1.0 / length, adjust: true, minPeriods: length);
        _down = EwmMeanKernel.FromAlpha(1.0 / length, adjust: true, minPeriods: length);
    }

    public int Length { get; }

    /// <summary>Inputs before the first defined output (the first diff is NaN, so the first value is at row <c>length</c>).</summary>
    public int Lookback => Length;

    /// <summary>Feeds the next close; returns the RSI in [0, 100], NaN during warm-up.</summary>
    public double Update(double close)
    {
        var diff = close - _previous; // NaN on the first row, as Series.diff()
        _previous = close;

        // pandas-ta: positive[positive < 0] = 0; negative[negative > 0] = 0 (NaN stays NaN).
        var up = _up.Update(diff < 0 ? 0 : diff);
        var down = _down.Update(diff > 0 ? 0 : diff);
        return Scalar * up / (up + Math.Abs(down));
    }
}
