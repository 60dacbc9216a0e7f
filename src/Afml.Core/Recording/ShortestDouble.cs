using System.Numerics;
using System.Runtime.CompilerServices;

namespace Afml.Core.Recording;

/// <summary>
/// A double as the shortest decimal that reads back as the same double, written as UTF-8 with exactly the bytes of
/// <c>ToString("R", CultureInfo.InvariantCulture)</c>: fixed notation when the value is d.ddd × 10^e with e in
/// [-4, 16] (<c>0.0001</c>, <c>12345678901234568</c>), otherwise <c>1E-05</c>, <c>1.2345678901234568E+17</c>;
/// <c>-0</c> for negative zero. The digits come from Ryu's method (Ulf Adams, PLDI 2018): the value and the two
/// halfway points to its neighbours are scaled by a power of ten with one exact 64×128-bit multiplication each, and
/// digits are dropped while the interval between the halfway points still holds a shorter decimal. The replay writes
/// ~11 doubles a registro row; the BCL's formatter (Grisu3, Dragon4 when Grisu3 gives up) costs about twice as much,
/// and its rare paths keep the runtime's tiering from settling during a run.
/// <para>Which decimal, as the BCL picks it: the shortest; among those the closest to the value, exactly halfway
/// going to the even digit; a decimal exactly on a halfway point is taken when the significand is even (the parser
/// rounds such a tie to it: <c>1E+23</c>). The unit tests compare every byte with the BCL over millions of values
/// of every kind and all powers of two.</para>
/// </summary>
internal static class ShortestDouble
{
    /// <summary>Most bytes written: sign, 17 digits, point, <c>E-324</c>... (<c>-2.2250738585072014E-308</c> is 24).</summary>
    public const int MaxBytes = 26;

    private const int MantissaBits = 52;
    private const int ExponentBias = 1023;
    private const int Pow5BitCount = 125;    // bits of the scaled 5^i
    private const int Pow5InvBitCount = 125; // bits of the scaled 1/5^q
    private const int Pow5Count = 326;       // 5^i for i < 326 (enough for the smallest subnormal)
    private const int Pow5InvCount = 342;    // 1/5^q for q < 342 (enough for the largest double)

    // 5^i as its top 125 bits, and floor(2^(bits(5^q) - 1 + 125) / 5^q) + 1, as (low, high) ulong pairs. Computed
    // once, exactly (see Tables); never written after.
    private static readonly (ulong[] Pow5, ulong[] Pow5Inv) Computed = Tables();
    private static readonly ulong[] Pow5 = Computed.Pow5;
    private static readonly ulong[] Pow5Inv = Computed.Pow5Inv;

    /// <summary>False only when <paramref name="dest"/> is too small (NaN and infinities are not numbers the
    /// registro writes: they go to the BCL, which writes <c>NaN</c>, <c>∞</c>, <c>-∞</c>).</summary>
    // AggressiveOptimization (here, on Shortest and Write, and on PlainNumber's parsers): JIT'd fully optimised at
    // the first call (~7 ms of JIT in all, on the loaded machine), never ReadyToRun code and never re-JIT'd. Without it the ReadyToRun code
    // is re-JIT'd ~0.3 s into a replay with dynamic PGO's profile counters, and a 100k-candle run ends before the
    // final tier (seen with AFML_BENCH_JITLOG=1). Measured A/B, bench replay-child, CPU µs/candle, medians of 4-5
    // runs back to back on the shared 2-core machine: 100k 10.25 with it vs 11.20 without (117k vs 109k candles/s);
    // 10k 15.1 vs 15.5 and 15.4 vs 15.3 in two batches (a tie: the JIT it costs is paid back within the run).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryFormatUtf8(double value, Span<byte> dest, out int written)
    {
        if (!double.IsFinite(value)) return Bcl(value, dest, out written);
        var bits = BitConverter.DoubleToUInt64Bits(value);
        var negative = (long)bits < 0;
        var mantissa = bits & ((1UL << MantissaBits) - 1);
        var exponent = (int)(bits >> MantissaBits) & 0x7FF;
        if (mantissa == 0 && exponent is 1023 - 25 or 1023 - 958)
        {
            // The BCL's quirk, kept because the registro's bytes are the BCL's: for these two powers of two (and no
            // other double, the tests check them all) "R" writes 16 digits that do not read back (2.980232238769531E-08
            // for 2^-25, whose shortest round trip is 2.9802322387695312E-08).
            return Bcl(value, dest, out written);
        }
        if (dest.Length < MaxBytes) return TrySmall(value, dest, out written);
        var at = 0;
        if (negative) dest[at++] = (byte)'-';
        if (exponent == 0 && mantissa == 0)
        {
            dest[at++] = (byte)'0';
            written = at;
            return true;
        }
        var digits = Shortest(mantissa, exponent, out var decimalExponent);
        written = at + Write(digits, decimalExponent, dest[at..]);
        return true;
    }

    /// <summary>The BCL's own "R", not inlined: fully optimised (AggressiveOptimization) the BCL's formatting code
    /// inlined into TryFormatUtf8 took 9 ms to JIT.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Bcl(double value, Span<byte> dest, out int written) =>
        value.TryFormat(dest, out written, "R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Into a buffer smaller than <see cref="MaxBytes"/>: through a stack copy, false if it does not fit.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TrySmall(double value, Span<byte> dest, out int written)
    {
        Span<byte> room = stackalloc byte[MaxBytes];
        TryFormatUtf8(value, room, out var n);
        written = 0;
        if (n > dest.Length) return false;
        room[..n].CopyTo(dest);
        written = n;
        return true;
    }

    /// <summary>The shortest digits (as an integer) and their exponent: the double is digits × 10^exponent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong Shortest(ulong mantissa, int exponent, out int decimalExponent)
    {
        // The double is m2 × 2^e2; e2 carries 2 more bits so that the halfway points to the neighbours
        // (4·m2 ± 2, or 4·m2 - 1 below a power of two, whose lower neighbour is half as far) are integers.
        int e2;
        ulong m2;
        if (exponent == 0)
        {
            e2 = 1 - ExponentBias - MantissaBits - 2;
            m2 = mantissa;
        }
        else
        {
            e2 = exponent - ExponentBias - MantissaBits - 2;
            m2 = (1UL << MantissaBits) | mantissa;
        }
        var mmShift = mantissa != 0 || exponent <= 1 ? 1UL : 0UL;
        // A decimal exactly on a halfway point reads back as this double when its significand is even (the
        // parser rounds ties to even), and the BCL then takes it: 1E+23, 22540949652426730.
        var acceptBounds = (m2 & 1) == 0;
        var mv = 4 * m2;
        var mp = mv + 2;
        var mm = mv - 1 - mmShift;

        // vr, vp, vm: value, upper and lower halfway points as floor(x × 2^e2 / 10^e10), with whether the floor
        // dropped nothing (then the point is exactly that decimal).
        ulong vr, vp, vm;
        int e10;
        var vrExact = false;
        var vmExact = false;
        if (e2 >= 0)
        {
            var q = Log10Pow2(e2) - (e2 > 3 ? 1 : 0);
            e10 = q;
            var shift = -e2 + q + Pow5InvBitCount + Pow5Bits(q) - 1;
            var lo = Pow5Inv[2 * q];
            var hi = Pow5Inv[2 * q + 1];
            vr = MulShift(mv, lo, hi, shift);
            vp = MulShift(mp, lo, hi, shift);
            vm = MulShift(mm, lo, hi, shift);
            if (q <= 21)
            {
                // x × 2^e2 / 10^q is whole when 5^q divides x (2^e2 has more twos than q); of mv, mp and mm, only
                // one can be a multiple of 5.
                if (mv % 5 == 0) vrExact = MultipleOfPowerOf5(mv, q);
                else if (acceptBounds) vmExact = MultipleOfPowerOf5(mm, q);
                else if (MultipleOfPowerOf5(mp, q)) vp--; // the upper halfway point itself reads back as the neighbour
            }
        }
        else
        {
            var q = Log10Pow5(-e2) - (-e2 > 1 ? 1 : 0);
            e10 = q + e2;
            var i = -e2 - q;
            var shift = q - (Pow5Bits(i) - Pow5BitCount);
            var lo = Pow5[2 * i];
            var hi = Pow5[2 * i + 1];
            vr = MulShift(mv, lo, hi, shift);
            vp = MulShift(mp, lo, hi, shift);
            vm = MulShift(mm, lo, hi, shift);
            // x × 5^i / 2^q is whole when 2^q divides x.
            if (q <= 1)
            {
                vrExact = true; // mv has two trailing zero bits, mp one: both exact
                if (acceptBounds) vmExact = mmShift == 1; // mm too when it is mv - 2
                else vp--;                               // the upper halfway point is not taken
            }
            else if (q < 63)
            {
                vrExact = MultipleOfPowerOf2(mv, q);
            }
        }

        // Drop digits while the interval (vm, vp] still holds a shorter decimal; then the closest one, ties to even.
        var removed = 0;
        var lastRemoved = 0UL;
        ulong output;
        if (vmExact || vrExact)
        {
            while (vp / 10 > vm / 10)
            {
                vmExact &= vm % 10 == 0;
                vrExact &= lastRemoved == 0;
                lastRemoved = vr % 10;
                vr /= 10;
                vp /= 10;
                vm /= 10;
                removed++;
            }
            if (vmExact)
            {
                // the lower halfway point is a decimal that is taken: drop the zeros it still ends with
                while (vm % 10 == 0)
                {
                    vrExact &= lastRemoved == 0;
                    lastRemoved = vr % 10;
                    vr /= 10;
                    vp /= 10;
                    vm /= 10;
                    removed++;
                }
            }
            if (vrExact && lastRemoved == 5 && vr % 2 == 0) lastRemoved = 4; // exactly halfway: to the even digit
            output = vr + ((vr == vm && !(acceptBounds && vmExact)) || lastRemoved >= 5 ? 1UL : 0UL);
        }
        else
        {
            var roundUp = false;
            while (vp / 100 > vm / 100)
            {
                roundUp = vr % 100 >= 50;
                vr /= 100;
                vp /= 100;
                vm /= 100;
                removed += 2;
            }
            if (vp / 10 > vm / 10)
            {
                roundUp = vr % 10 >= 5;
                vr /= 10;
                vp /= 10;
                vm /= 10;
                removed++;
            }
            output = vr + (vr == vm || roundUp ? 1UL : 0UL);
        }
        decimalExponent = e10 + removed;
        return output;
    }

    /// <summary>digits × 10^exponent as the BCL's "R" lays it out; returns the bytes written. The digits are
    /// written once, where they end up but for the first one or the whole part, which then move left for the point.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Write(ulong digits, int exponent, Span<byte> dest)
    {
        var length = DecimalLength(digits);
        var scientific = exponent + length - 1; // d.ddd × 10^scientific
        var isFixed = scientific is >= -4 and < 17;
        // where the digits go: 0.000ddd after its zeros; ddd000 at 0; dd.ddd and d.dddE+nn one to the right
        var start = !isFixed ? 1 : exponent >= 0 ? 0 : scientific >= 0 ? 1 : 1 - scientific;
        WriteDigits(digits, dest.Slice(start, length));
        if (isFixed)
        {
            if (exponent >= 0)
            {
                // an integer: the digits, then zeros
                Zeros(dest.Slice(length, exponent));
                return length + exponent;
            }
            if (scientific >= 0)
            {
                // the whole part moved back over the first byte, the point after it
                var whole = scientific + 1;
                for (var k = 0; k < whole; k++) dest[k] = dest[k + 1];
                dest[whole] = (byte)'.';
                return length + 1;
            }
            // 0.000ddd
            Zeros(dest[..start]);
            dest[1] = (byte)'.';
            return start + length;
        }
        // d.ddd: the first digit moved back, the point after it
        dest[0] = dest[1];
        var at = 1;
        if (length > 1)
        {
            dest[1] = (byte)'.';
            at = length + 1;
        }
        dest[at++] = (byte)'E';
        dest[at++] = scientific < 0 ? (byte)'-' : (byte)'+';
        var e = Math.Abs(scientific);
        if (e >= 100) dest[at++] = (byte)('0' + e / 100);
        dest[at++] = (byte)('0' + e / 10 % 10);
        dest[at++] = (byte)('0' + e % 10);
        return at;
    }

    /// <summary>'0' in every byte of <paramref name="dest"/> (at most 16 here: a plain loop, not Span.Fill, whose
    /// vectorised code inlined into Write doubled its JIT time).</summary>
    private static void Zeros(Span<byte> dest)
    {
        for (var k = 0; k < dest.Length; k++) dest[k] = (byte)'0';
    }

    /// <summary>All of <paramref name="dest"/> as the decimal digits of <paramref name="value"/> (at most 17 of
    /// them here): eight at a time in 32-bit arithmetic, two at a time within those.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteDigits(ulong value, Span<byte> dest)
    {
        var i = dest.Length;
        while (i > 8)
        {
            var next = value / 100_000_000;
            i -= 8;
            WriteEight((uint)(value - 100_000_000 * next), dest.Slice(i, 8));
            value = next;
        }
        var small = (uint)value;
        while (i >= 2)
        {
            var next = small / 100;
            var pair = 2 * (small - 100 * next);
            i -= 2;
            dest[i] = TwoDigits[(int)pair];
            dest[i + 1] = TwoDigits[(int)pair + 1];
            small = next;
        }
        if (i == 1) dest[0] = (byte)('0' + small);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteEight(uint value, Span<byte> dest)
    {
        var high = value / 10_000;
        var low = value - 10_000 * high;
        var a = 2 * (high / 100);
        var b = 2 * (high % 100);
        var c = 2 * (low / 100);
        var d = 2 * (low % 100);
        var two = TwoDigits;
        dest[7] = two[(int)d + 1];
        dest[6] = two[(int)d];
        dest[5] = two[(int)c + 1];
        dest[4] = two[(int)c];
        dest[3] = two[(int)b + 1];
        dest[2] = two[(int)b];
        dest[1] = two[(int)a + 1];
        dest[0] = two[(int)a];
    }

    /// <summary>Digits of <paramref name="v"/> ≥ 1: log10 estimated from log2 (×1233/4096 ≈ log10 2), then one comparison.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int DecimalLength(ulong v)
    {
        var guess = ((BitOperations.Log2(v) + 1) * 1233) >> 12;
        return guess + (v >= PowersOfTen[guess] ? 1 : 0);
    }

    private static ReadOnlySpan<byte> TwoDigits =>
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

    private static ReadOnlySpan<ulong> PowersOfTen =>
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
        100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
    ];

    /// <summary>floor(m × (hi·2^64 + lo) / 2^shift), for 64 &lt; shift &lt; 128 (the product has up to 192 bits; the
    /// result fits 64). Plain ulong arithmetic, not UInt128: ReadyToRun compiles no method that uses UInt128.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulShift(ulong m, ulong lo, ulong hi, int shift)
    {
        var lowHigh = Math.BigMul(m, lo, out _);
        var highHigh = Math.BigMul(m, hi, out var highLow);
        var sum = highLow + lowHigh;
        if (sum < lowHigh) highHigh++;
        var s = shift - 64;
        return (highHigh << (64 - s)) | (sum >> s);
    }

    // ceil(log2(5^e)) for e ≥ 1 (1 for e = 0), floor(log10(2^e)) and floor(log10(5^e)): fixed-point approximations,
    // exact over the ranges used here (the tests check every e the tables cover against BigInteger).
    internal static int Pow5Bits(int e) => (int)(((uint)e * 1217359) >> 19) + 1;
    internal static int Log10Pow2(int e) => (int)(((uint)e * 78913) >> 18);
    internal static int Log10Pow5(int e) => (int)(((uint)e * 732923) >> 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool MultipleOfPowerOf2(ulong value, int p) => (value & ((1UL << p) - 1)) == 0;

    private static bool MultipleOfPowerOf5(ulong value, int p)
    {
        var count = 0;
        while (value % 5 == 0 && value != 0)
        {
            value /= 5;
            count++;
        }
        return count >= p;
    }

    /// <summary>Both tables, exactly, with 32-bit limbs: 5^q by repeated ×5, and floor(2^959 / 5^q) by repeated ÷5
    /// (floor(floor(x / a) / b) = floor(x / ab)), each read through a 128-bit window at the right bit. Not BigInteger:
    /// loading and first-calling System.Runtime.Numerics cost more than the tables themselves.</summary>
    private static (ulong[] Pow5, ulong[] Pow5Inv) Tables()
    {
        const int numeratorBits = 959; // above the largest 2^(bits(5^q) - 1 + 125) needed, 2^916
        var pow5 = new ulong[2 * Pow5Count];
        var pow5Inv = new ulong[2 * Pow5InvCount];
        var power = new uint[26];                       // 5^q: up to 792 bits
        var quotient = new uint[(numeratorBits + 1) / 32]; // floor(2^959 / 5^q)
        power[0] = 1;
        quotient[^1] = 1u << 31;
        var used = 1;
        for (var q = 0; q < Pow5InvCount; q++)
        {
            if (q > 0)
            {
                used = MultiplyBy5(power, used);
                DivideBy5(quotient);
            }
            var bits = 32 * (used - 1) + 32 - BitOperations.LeadingZeroCount(power[used - 1]); // bits(5^q)
            if (q < Pow5Count)
            {
                (pow5[2 * q], pow5[2 * q + 1]) = Window(power, bits - Pow5BitCount);
            }
            var (low, high) = Window(quotient, numeratorBits - (bits - 1 + Pow5InvBitCount));
            low++;
            if (low == 0) high++;
            (pow5Inv[2 * q], pow5Inv[2 * q + 1]) = (low, high);
        }
        return (pow5, pow5Inv);
    }

    private static int MultiplyBy5(uint[] limbs, int used)
    {
        ulong carry = 0;
        for (var i = 0; i < used; i++)
        {
            var product = 5UL * limbs[i] + carry;
            limbs[i] = (uint)product;
            carry = product >> 32;
        }
        if (carry != 0) limbs[used++] = (uint)carry;
        return used;
    }

    private static void DivideBy5(uint[] limbs)
    {
        ulong remainder = 0;
        for (var i = limbs.Length - 1; i >= 0; i--)
        {
            var current = (remainder << 32) | limbs[i];
            limbs[i] = (uint)(current / 5);
            remainder = current % 5;
        }
    }

    /// <summary>floor(n / 2^from) mod 2^128 as (low, high) for the number n in <paramref name="limbs"/>; a negative
    /// <paramref name="from"/> shifts left.</summary>
    private static (ulong Low, ulong High) Window(uint[] limbs, int from) =>
        (Word(limbs, from) | (ulong)Word(limbs, from + 32) << 32, Word(limbs, from + 64) | (ulong)Word(limbs, from + 96) << 32);

    /// <summary>Bits at..at+31 of the number in <paramref name="limbs"/> (those below 0 or past its end are zero).</summary>
    private static uint Word(uint[] limbs, int at)
    {
        var index = at >> 5; // floor(at / 32), also below zero
        ulong low = index >= 0 && index < limbs.Length ? limbs[index] : 0;
        ulong high = index + 1 >= 0 && index + 1 < limbs.Length ? limbs[index + 1] : 0;
        return (uint)(((high << 32) | low) >> (at & 31));
    }

    /// <summary>The tables' entries, for the tests.</summary>
    internal static (ulong Low, ulong High) Pow5Entry(int i) => (Pow5[2 * i], Pow5[2 * i + 1]);

    internal static (ulong Low, ulong High) Pow5InvEntry(int q) => (Pow5Inv[2 * q], Pow5Inv[2 * q + 1]);

    internal const int Pow5Entries = Pow5Count;
    internal const int Pow5InvEntries = Pow5InvCount;
}
