namespace Afml.Core.Features.Kernels;

/// <summary>numpy's float64 <c>add.reduce</c> over a contiguous 1-D array: the identity 0 plus numpy's
/// <c>pairwise_sum</c> (numpy/core/src/umath/loops_utils.h.src) — sequential below 8 values, eight interleaved
/// accumulators up to 128, recursive halving (on multiples of 8) above. pandas' <c>Series.mean()</c> is this sum
/// divided by the count.</summary>
internal static class NumpySum
{
    private const int BlockSize = 128;

    public static double Sum(ReadOnlySpan<double> values) => 0.0 + Pairwise(values);

    private static double Pairwise(ReadOnlySpan<double> a)
    {
        var n = a.Length;
        if (n < 8)
        {
            var res = 0.0;
            for (var i = 0; i < n; i++) res += a[i];
            return res;
        }

        if (n <= BlockSize)
        {
            double r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7];
            var i = 8;
            for (; i < n - n % 8; i += 8)
            {
                r0 += a[i]; r1 += a[i + 1]; r2 += a[i + 2]; r3 += a[i + 3];
                r4 += a[i + 4]; r5 += a[i + 5]; r6 += a[i + 6]; r7 += a[i + 7];
            }

            var res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) res += a[i];
            return res;
        }

        var n2 = n / 2;
        n2 -= n2 % 8;
        return Pairwise(a[..n2]) + Pairwise(a[n2..]);
    }

    /// <summary>pandas <c>nanmean</c> of a float64 slice: NaN entries count as 0 in the sum and are left out of
    /// the count (0/0 → NaN when every entry is NaN).</summary>
    public static double NanMean(Span<double> scratch)
    {
        var count = 0;
        for (var i = 0; i < scratch.Length; i++)
        {
            if (double.IsNaN(scratch[i])) scratch[i] = 0;
            else count++;
        }

        return Sum(scratch) / count;
    }
}
