using System.Globalization;
using Xunit.Abstractions;

namespace Afml.Tests.Features;

/// <summary>Compares a computed column with a golden one bit for bit, as the README claims: NaN exactly where
/// golden is NaN, and every defined value with the same 64 bits (so −0.0 ≠ 0.0, and no tolerance at all).</summary>
internal static class Parity
{
    public static void AssertColumn(string name, IReadOnlyList<double> expected, IReadOnlyList<double> actual, ITestOutputHelper? output = null)
    {
        Assert.Equal(expected.Count, actual.Count);
        int defined = 0, identical = 0;
        double maxRel = 0;
        var failures = new List<string>();
        for (var i = 0; i < expected.Count; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) || double.IsNaN(a))
            {
                if (double.IsNaN(e) != double.IsNaN(a)) failures.Add($"row {i}: expected {Text(e)}, got {Text(a)}");
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
            failures.Add($"row {i}: expected {Text(e)}, got {Text(a)} (|Δ| {Text(diff)})");
        }

        output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-16} defined {defined,6}  bit-identical {identical,6} ({100.0 * identical / Math.Max(defined, 1),6:F2}%)  max rel {maxRel:E2}"));
        Assert.True(defined > 0, $"{name}: no defined value to compare");
        Assert.True(failures.Count == 0,
            $"{name}: {failures.Count} values not bit-identical; first: {string.Join("; ", failures.Take(5))}");
    }

    private static string Text(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
