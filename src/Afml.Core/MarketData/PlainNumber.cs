using System.Globalization;
using System.Runtime.CompilerServices;

namespace Afml.Core.MarketData;

/// <summary>
/// The numbers of a candle file's plain rows, parsed from their UTF-8 bytes with the same result as
/// <c>double.TryParse(text, NumberStyles.Float, InvariantCulture)</c> and
/// <c>long.TryParse(text, NumberStyles.Integer, InvariantCulture)</c>, the BCL doing the rare shapes. The common
/// shape (an optional sign, at most 19 digits with an optional point) is read here: the digits as an integer m and the
/// digits after the point as k, then m / 10^k in one IEEE division when m ≤ 2^53 and k ≤ 22, both exact operands,
/// so the quotient is the correctly rounded value, as the BCL's is. Anything else (more digits, an exponent, spaces,
/// <c>NaN</c>, <c>∞</c>, text that is not a number at all) goes to the BCL, so what is accepted, rejected and read is
/// the BCL's every time.
/// </summary>
internal static class PlainNumber
{
    private const int MaxDigits = 19;               // 10^19 - 1 fits in a ulong
    private const ulong MaxExactMantissa = 1UL << 53;

    // The powers of ten a double holds exactly.
    private static ReadOnlySpan<double> PowersOfTen =>
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>As <c>double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value)</c>.</summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> text, out double value)
    {
        if (TryExactDouble(text, out value)) return true;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>As <c>long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value)</c>.</summary>
    public static bool TryParseLong(ReadOnlySpan<byte> text, out long value)
    {
        if (TryDigits(text, out value)) return true;
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>True with the exact value when <paramref name="text"/> is the common shape; false leaves it to the BCL.</summary>
    // AggressiveOptimization: why, and what it was measured to gain, at ShortestDouble.TryFormatUtf8.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryExactDouble(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (text.Length > 0 && text[0] is (byte)'-' or (byte)'+')
        {
            negative = text[0] == (byte)'-';
            i = 1;
        }
        ulong mantissa = 0;
        var digits = 0;
        var point = -1; // digits before the point, once seen
        for (; i < text.Length; i++)
        {
            var d = (uint)(text[i] - '0');
            if (d <= 9)
            {
                if (digits == MaxDigits) return false;
                mantissa = 10 * mantissa + d;
                digits++;
            }
            else if (text[i] == (byte)'.' && point < 0)
            {
                point = digits;
            }
            else
            {
                return false;
            }
        }
        var fraction = point < 0 ? 0 : digits - point;
        if (digits == 0 || mantissa > MaxExactMantissa || fraction >= PowersOfTen.Length) return false;
        var v = fraction == 0 ? (double)mantissa : (double)mantissa / PowersOfTen[fraction];
        value = negative ? -v : v;
        return true;
    }

    /// <summary>True with the value when <paramref name="text"/> is 1 to 18 digits (no sign, no space).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryDigits(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.Length is 0 or > 18) return false;
        foreach (var c in text)
        {
            var d = (uint)(c - '0');
            if (d > 9) return false;
            value = 10 * value + d;
        }
        return true;
    }
}
