namespace Afml.Core.Features.Kernels;

/// <summary>State of pandas 1.5's <c>roll_var</c> (pandas/_libs/window/aggregations.pyx) for monotonic window
/// bounds: Welford's online update with Kahan-style compensation, separate compensations for additions and
/// removals, and a run length of consecutive equal additions (a window of identical values has variance exactly 0,
/// GH#42064). NaN inputs are skipped.</summary>
internal sealed class RollingVarianceKernel
{
    private double _nobs;
    private double _mean;
    private double _ssqdm;
    private double _compensationAdd;
    private double _compensationRemove;
    private long _consecutiveSame;
    private double _previous = double.NaN;

    /// <summary>pandas <c>add_var</c>.</summary>
    public void Add(double value)
    {
        if (double.IsNaN(value)) return;
        _nobs++;
        _consecutiveSame = value == _previous ? _consecutiveSame + 1 : 1;
        _previous = value;

        var prevMean = _mean - _compensationAdd;
        var y = value - _compensationAdd;
        var t = y - _mean;
        _compensationAdd = t + _mean - y;
        var delta = t;
        _mean = _nobs != 0 ? _mean + delta / _nobs : 0;
        _ssqdm += (value - prevMean) * (value - _mean);
    }

    /// <summary>pandas <c>remove_var</c>.</summary>
    public void Remove(double value)
    {
        if (double.IsNaN(value)) return;
        _nobs--;
        if (_nobs != 0)
        {
            var prevMean = _mean - _compensationRemove;
            var y = value - _compensationRemove;
            var t = y - _mean;
            _compensationRemove = t + _mean - y;
            var delta = t;
            _mean -= delta / _nobs;
            _ssqdm -= (value - prevMean) * (value - _mean);
        }
        else
        {
            _mean = 0;
            _ssqdm = 0;
        }
    }

    /// <summary>pandas <c>calc_var</c>: the variance with divisor <c>n − ddof</c>; NaN until
    /// <paramref name="minPeriods"/> values (and more than <paramref name="ddof"/>) are in the window.</summary>
    public double Variance(int minPeriods, int ddof)
    {
        minPeriods = Math.Max(minPeriods, 1);
        if (!(_nobs >= minPeriods && _nobs > ddof)) return double.NaN;
        if (_nobs == 1 || _consecutiveSame >= _nobs) return 0;
        return _ssqdm / (_nobs - ddof);
    }
}
