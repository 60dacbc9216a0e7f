namespace Afml.Core.Features;

/// <summary>pandas-ta's <c>non_zero_range(a, b)</c> for one row: a − b, plus machine epsilon (2⁻⁵², Python's
/// <c>sys.float_info.epsilon</c>) when that difference is exactly zero.</summary>
/// <remarks>pandas-ta decides on the whole series: if the difference is zero on <em>any</em> row, it adds epsilon on
/// <em>every</em> row. A streaming computation cannot know future rows, so here only a zero row gets epsilon. The
/// two agree on every zero row and wherever no zero occurs in the series; elsewhere they differ by the rounding of
/// <c>x + 2⁻⁵²</c>, at most one unit in the last place of a difference below 4 and nothing at all above 4.</remarks>
public static class NonZeroRange
{
    /// <summary>Python's <c>sys.float_info.epsilon</c> (not <see cref="double.Epsilon"/>).</summary>
    public const double MachineEpsilon = 2.220446049250313e-16;

    public static double Of(double a, double b)
    {
        var diff = a - b;
        return diff == 0 ? diff + MachineEpsilon : diff;
    }
}
