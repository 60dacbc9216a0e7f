using Afml.Core.Features.Kernels;

namespace Afml.Core.Features;

/// <summary>One Bollinger row, in pandas-ta's column order (BBL, BBM, BBU, BBB, BBP).</summary>
/// <param name="Lower">mid − k·std.</param>
/// <param name="Mid">SMA of the close.</param>
/// <param name="Upper">mid + k·std.</param>
/// <param name="Bandwidth">100·(upper − lower)/mid.</param>
/// <param name="Percent">(close − lower)/(upper − lower).</param>
public readonly record struct BollingerBandsValue(double Lower, double Mid, double Upper, double Bandwidth, double Percent);

/// <summary>Streaming pandas-ta <c>bbands</c> (pure-pandas path, <c>mamode="sma"</c>, <c>ddof=0</c>): mid = rolling
/// mean, std = √(rolling variance, ddof 0) with pandas 1.5's kernels. O(1) per update; no allocation.</summary>
/// <remarks>pandas-ta's zero-range quirk — epsilon added to (upper − lower) on every row if it is zero on any row,
/// and likewise for (close − lower) — is applied per row here; see <see cref="NonZeroRange"/> for what that changes.
/// pandas-ta computes the variance over 30 rows when the length is 1 (its <c>variance</c> treats length ≤ 1 as
/// unset); that is reproduced.</remarks>
public sealed class BollingerBands
{
    private const int Ddof = 0;
    private readonly SlidingWindow _meanWindow;
    private readonly SlidingWindow _varianceWindow;
    private readonly RollingMeanKernel _mean = new();
    private readonly RollingVarianceKernel _variance = new();
    private readonly int _varianceLength;

    public BollingerBands(int length, double std)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        if (!(std > 0) || !double.IsFinite(std))
            throw new ArgumentOutOfRangeException(nameof(std), std, "The band width in standard deviations must be a positive number.");
        Length = length;
        Std = std;
        _varianceLength = length > 1 ? length : 30;
        _meanWindow = new SlidingWindow(length);
        _varianceWindow = new SlidingWindow(_varianceLength);
    }

    public int Length { get; }

    public double Std { get; }

    /// <summary>Inputs before the first defined output.</summary>
    public int Lookback => Math.Max(Length, _varianceLength) - 1;

    /// <summary>Feeds the next close; every field is NaN during warm-up.</summary>
    public BollingerBandsValue Update(double close)
    {
        if (_meanWindow.Push(close, out var leaving)) _mean.Remove(leaving);
        _mean.Add(close);
        if (_varianceWindow.Push(close, out leaving)) _variance.Remove(leaving);
        _variance.Add(close);

        var mid = _mean.Mean(Length);
        var deviations = Std * Math.Sqrt(_variance.Variance(_varianceLength, Ddof));
        var lower = mid - deviations;
        var upper = mid + deviations;
        var width = NonZeroRange.Of(upper, lower);
        return new BollingerBandsValue(lower, mid, upper, 100 * width / mid, NonZeroRange.Of(close, lower) / width);
    }
}
