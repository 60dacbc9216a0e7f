namespace Afml.Core.Features.Kernels;

/// <summary>State of pandas 1.5's <c>ewm</c> mean kernel (pandas/_libs/window/aggregations.pyx, no times,
/// <c>ignore_na=False</c>, <c>normalize=True</c>): a normalised weighted average whose old weight decays by
/// <c>1 − α</c> per row (also across NaN rows once started); with <c>adjust=True</c> the weights accumulate,
/// with <c>adjust=False</c> the old weight is reset to 1 after each observation. Output is NaN until
/// <c>minPeriods</c> non-NaN values were seen.</summary>
internal sealed class EwmMeanKernel
{
    private readonly double _oldWeightFactor;
    private readonly double _newWeight;
    private readonly bool _adjust;
    private readonly long _minPeriods;
    private double _weighted = double.NaN;
    private double _oldWeight = 1;
    private long _nobs;

    private EwmMeanKernel(double centerOfMass, bool adjust, int minPeriods)
    {
        var alpha = 1.0 / (1.0 + centerOfMass);
        _oldWeightFactor = 1.0 - alpha;
        _newWeight = adjust ? 1.0 : alpha;
        _adjust = adjust;
        _minPeriods = Math.Max(minPeriods, 1);
    }

    /// <summary><c>Series.ewm(span=span, adjust=adjust, min_periods=minPeriods)</c>: com = (span − 1) / 2.</summary>
    public static EwmMeanKernel FromSpan(int span, bool adjust, int minPeriods)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(span, 1);
        return new EwmMeanKernel((span - 1) / 2.0, adjust, minPeriods);
    }

    /// <summary><c>Series.ewm(alpha=alpha, adjust=adjust, min_periods=minPeriods)</c>: com = (1 − α) / α
    /// (pandas converts α to a centre of mass and back, so the α used may differ from the one given in the last bit).</summary>
    public static EwmMeanKernel FromAlpha(double alpha, bool adjust, int minPeriods)
    {
        if (!(alpha > 0 && alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in (0, 1].");
        return new EwmMeanKernel((1 - alpha) / alpha, adjust, minPeriods);
    }

    /// <summary>Feeds the next row and returns the output for it.</summary>
    public double Update(double value)
    {
        var isObservation = !double.IsNaN(value);
        if (isObservation) _nobs++;

        if (double.IsNaN(_weighted))
        {
            // Nothing observed yet: pandas seeds `weighted` with the first row and, while it is NaN, replaces it
            // with the next observation; either way it takes the value as it is and the old weight stays 1.
            _weighted = value;
        }
        else
        {
            _oldWeight *= _oldWeightFactor;
            if (isObservation)
            {
                // pandas: "avoid numerical errors on constant series"
                if (_weighted != value)
                {
                    _weighted = _oldWeight * _weighted + _newWeight * value;
                    _weighted /= _oldWeight + _newWeight;
                }

                _oldWeight = _adjust ? _oldWeight + _newWeight : 1.0;
            }
        }

        return _nobs >= _minPeriods ? _weighted : double.NaN;
    }
}
