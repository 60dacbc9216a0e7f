using System.Globalization;
using Xunit.Abstractions;

namespace Afml.Tests.Features;

/// <summary>Compares a computed column with a golden one: NaN exactly where golden is NaN, else
/// |a − b| ≤ 1e-9·|b| or ≤ 1e-12. Counts bit-identical values.</summary>
internal static class Parity
{
    public const double RelativeTolerance = 1e-9;
    public const double AbsoluteTolerance = 1e-12;

    public static void AssertColumn(string name, IReadOnlyList<double> expected, IReadOnlyList<double> actual, ITestOutputHelper? output = null)
    {
        Assert.Equal(expected.Count, actual.Count);
        int defined = 0, identical = 0;
        double maxRel = 0;
        var failures = new List<string>();
        for (var i = 0; i < expected.Count; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e))
            {
                if (!double.IsNaN(a)) failures.Add($"row {i}: expected NaN, got {Text(a)}");
                continue;
            }

            defined++;
            if (BitConverter.DoubleToInt64Bits(e) == BitConverter.DoubleToInt64Bits(a))
            {
                identical++;
                continue;
            }

            var diff = Math.Abs(a - e);
            if (e != 0) maxRel = Math.Max(maxRel, diff / Math.Abs(e));
            if (!(diff <= RelativeTolerance * Math.Abs(e) || diff <= AbsoluteTolerance))
                failures.Add($"row {i}: expected {Text(e)}, got {Text(a)} (|Δ| {Text(diff)})");
        }

        output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-16} defined {defined,6}  bit-identical {identical,6} ({100.0 * identical / Math.Max(defined, 1),6:F2}%)  max rel {maxRel:E2}"));
        Assert.True(failures.Count == 0,
            $"{name}: {failures.Count} mismatches; first: {string.Join("; ", failures.Take(5))}");
    }

    private static string Text(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
