using System.Diagnostics;
using System.Globalization;

namespace Afml.Benchmarks.Report;

/// <summary>Percentiles of a set of durations (nanoseconds) and small formatting helpers.</summary>
internal static class Stats
{
    public static double TicksToNs(long ticks) => ticks * 1e9 / Stopwatch.Frequency;

    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0) return double.NaN;
        var rank = p / 100 * (sorted.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }

    public static (double Median, double P99) MedianP99(IEnumerable<double> values)
    {
        var s = values.ToArray();
        Array.Sort(s);
        return (Percentile(s, 50), Percentile(s, 99));
    }

    public static string Ns(double ns) => ns switch
    {
        double.NaN => "–",
        < 1_000 => F($"{ns:F0} ns"),
        < 1_000_000 => F($"{ns / 1_000:F2} µs"),
        _ => F($"{ns / 1_000_000:F2} ms"),
    };

    public static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>Peak resident set (VmHWM) of this process in MiB, from /proc; NaN where there is no /proc.</summary>
    public static double PeakRssMiB()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return double.NaN;
    }
}
