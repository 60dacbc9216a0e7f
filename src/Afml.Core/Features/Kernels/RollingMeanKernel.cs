namespace Afml.Core.Features.Kernels;

/// <summary>State of pandas 1.5's <c>roll_mean</c> (pandas/_libs/window/aggregations.pyx) for monotonic window
/// bounds: a Kahan-compensated running sum with separate compensations for additions and removals, a count of
/// negative values (to clamp a sign-flipped mean to 0), and a run length of consecutive equal additions (GH#42064:
/// a window of identical values yields that value exactly). NaN inputs are skipped, as pandas does.</summary>
internal sealed class RollingMeanKernel
{
    private long _nobs;
    private long _negCount;
    private double _sum;
    private double _compensationAdd;
    private double _compensationRemove;
    private long _consecutiveSame;
    private double _previous = double.NaN;

    /// <summary>pandas <c>add_mean</c>.</summary>
    public void Add(double value)
    {
        if (double.IsNaN(value)) return;
        _nobs++;
        var y = value - _compensationAdd;
        var t = _sum + y;
        _compensationAdd = t - _sum - y;
        _sum = t;
        if (double.IsNegative(value)) _negCount++;

        _consecutiveSame = value == _previous ? _consecutiveSame + 1 : 1;
        _previous = value;
    }

    /// <summary>pandas <c>remove_mean</c>.</summary>
    public void Remove(double value)
    {
        if (double.IsNaN(value)) return;
        _nobs--;
        var y = -value - _compensationRemove;
        var t = _sum + y;
        _compensationRemove = t - _sum - y;
        _sum = t;
        if (double.IsNegative(value)) _negCount--;
    }

    /// <summary>pandas <c>calc_mean</c>: NaN until <paramref name="minPeriods"/> values are in the window.</summary>
    public double Mean(int minPeriods)
    {
        if (_nobs < minPeriods || _nobs == 0) return double.NaN;
        var result = _sum / _nobs;
        if (_consecutiveSame >= _nobs) return _previous;
        if (_negCount == 0 && result < 0) return 0;
        if (_negCount == _nobs && result > 0) return 0;
        return result;
    }
}
