namespace Afml.Core.Features;

/// <summary>pandas-ta's <c>non_zero_range(a, b)</c> for one row: a − b, plus machine epsilon (2⁻⁵², Python's
/// <c>sys.float_info.epsilon</c>) when that difference is exactly zero.</summary>
/// <remarks>pandas-ta decides on the whole series: if the difference is zero on <em>any</em> row, it adds epsilon on
/// <em>every</em> row. A streaming computation cannot know future rows, so here only a zero row gets epsilon. The
/// two agree on every zero row and on every row of a series without a zero. On the other rows of a series with a
/// zero, pandas-ta's difference is <c>d + ε</c> where this one is <c>d</c>: identical when |d| ≥ 4 (ε is below half
/// an ulp), at most one ulp apart for 1 ≤ |d| &lt; 4, and a relative ε/|d| apart below 1 (above the 1e-9 parity
/// tolerance only when |d| &lt; 2.2e-7). For prices the size of the fixtures' (band widths and ranges of tens or
/// more) the results are bit-identical.</remarks>
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
