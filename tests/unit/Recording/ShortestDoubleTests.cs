using System.Globalization;
using System.Numerics;
using System.Text;
using Afml.Core.Recording;

namespace Afml.Tests.Recording;

/// <summary>
/// The registro's numbers must stay byte for byte what <c>ToString("R", InvariantCulture)</c> writes (analysis scripts
/// read them): <see cref="ShortestDouble"/> is compared with the BCL over seeded sets of a million values of each
/// kind a registro holds, or that stresses the algorithm (ties, exact halfway points, powers of two, table edges).
/// </summary>
public class ShortestDoubleTests
{
    private const int Count = 1_000_000;

    /// <summary>Every value of <paramref name="values"/> formatted by both; the first mismatches, if any, fail the test.</summary>
    private static void AssertSameAsBcl(IEnumerable<double> values, string what)
    {
        Span<byte> ours = stackalloc byte[64];
        Span<byte> bcl = stackalloc byte[64];
        var mismatches = new List<string>();
        var checkedCount = 0;
        foreach (var value in values)
        {
            Assert.True(value.TryFormat(bcl, out var b, "R", CultureInfo.InvariantCulture));
            Assert.True(ShortestDouble.TryFormatUtf8(value, ours, out var o));
            checkedCount++;
            if (ours[..o].SequenceEqual(bcl[..b])) continue;
            mismatches.Add($"{BitConverter.DoubleToUInt64Bits(value):X16}: ours {Encoding.ASCII.GetString(ours[..o])}, BCL {Encoding.ASCII.GetString(bcl[..b])}");
            if (mismatches.Count == 10) break;
        }
        Assert.True(mismatches.Count == 0, $"{what}: {string.Join("; ", mismatches)}");
        Assert.True(checkedCount > 0, $"{what}: no value checked");
    }

    private static double FromBits(ulong bits) => BitConverter.UInt64BitsToDouble(bits);

    private static IEnumerable<double> Generate(int seed, Func<Random, double> next, int count = Count)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var value = next(random);
            if (double.IsFinite(value)) yield return value;
        }
    }

    [Fact]
    public void Uniform_random_bit_patterns() =>
        AssertSameAsBcl(Generate(1, r => FromBits((ulong)r.NextInt64() ^ ((ulong)r.Next(2) << 63))), "random bits");

    [Fact]
    public void Prices_with_two_to_eight_decimals_and_their_products()
    {
        static double Price(Random r) => Math.Round(Math.Pow(10, r.NextDouble() * 9 - 3), r.Next(2, 9));
        AssertSameAsBcl(Generate(2, Price), "prices");
        // what the engine computes from them: notional, fees, PnL, returns
        AssertSameAsBcl(Generate(3, r => Price(r) * Price(r)), "price × quantity");
        AssertSameAsBcl(Generate(4, r => (Price(r) - Price(r)) / Price(r)), "returns");
        AssertSameAsBcl(Generate(5, r => Price(r) * 0.001 + Price(r) * 0.00075), "fees");
    }

    [Fact]
    public void Float32_values_widened_to_double()
    {
        AssertSameAsBcl(Generate(6, r => (double)BitConverter.Int32BitsToSingle(r.Next() ^ (r.Next(2) << 31))), "float32 bits");
        AssertSameAsBcl(Generate(7, r => (double)(float)(2 * r.NextDouble() - 1)), "float32 actions");
    }

    [Fact]
    public void Values_near_powers_of_ten()
    {
        // up to 800 ulps either side of each power of ten a double can be near (1E-323 .. 1E+308)
        static IEnumerable<double> Near()
        {
            for (var p = -323; p <= 308; p++)
            {
                var bits = BitConverter.DoubleToInt64Bits(double.Parse($"1E{p}", CultureInfo.InvariantCulture));
                for (var k = -800; k <= 800; k++)
                    if (bits + k > 0) yield return BitConverter.Int64BitsToDouble(bits + k);
            }
        }
        AssertSameAsBcl(Near(), "near powers of ten");
    }

    [Fact]
    public void Integers_and_values_near_two_to_the_53()
    {
        AssertSameAsBcl(Generate(8, r => r.NextInt64(-(1L << 54), 1L << 54)), "integers below 2^54");
        AssertSameAsBcl(Generate(9, r => (double)r.NextInt64(1L << 62) * (r.Next(2) == 0 ? 1 : 1024)), "large integers");
        AssertSameAsBcl(Generate(10, r => r.Next(-100_000, 100_000)), "small integers");
        AssertSameAsBcl(Generate(11, r => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(9007199254740992.0) + r.Next(-500_000, 500_000))), "near 2^53");
    }

    [Fact]
    public void Tiny_and_huge_exponents_and_subnormals()
    {
        const ulong mantissaMask = (1UL << 52) - 1;
        AssertSameAsBcl(Generate(12, r => FromBits(((ulong)r.Next(1, 120) << 52) | ((ulong)r.NextInt64() & mantissaMask))), "tiny exponents");
        AssertSameAsBcl(Generate(13, r => FromBits(((ulong)r.Next(1930, 2047) << 52) | ((ulong)r.NextInt64() & mantissaMask))), "huge exponents");
        AssertSameAsBcl(Generate(14, r => FromBits((ulong)r.NextInt64() & mantissaMask)), "subnormals");
        AssertSameAsBcl(Generate(15, r => FromBits((ulong)r.Next(1, 1 << 20))), "smallest subnormals");
        AssertSameAsBcl([0.0, -0.0, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue, 2.2250738585072014E-308, FromBits(mantissaMask)], "edges");
    }

    [Fact]
    public void Every_power_of_two_and_its_neighbours()
    {
        // The lower neighbour of a power of two is half as far as the upper one: the one place Ryu's interval is
        // asymmetric, and where the BCL has its two odd cases (2^-25, 2^-958). All 2^e and both neighbours, both signs.
        static IEnumerable<double> Powers()
        {
            for (var e = -1074; e <= 1023; e++)
            {
                var x = Math.ScaleB(1.0, e);
                foreach (var v in new[] { x, Math.BitIncrement(x), Math.BitDecrement(x) })
                {
                    yield return v;
                    yield return -v;
                }
            }
        }
        AssertSameAsBcl(Powers(), "powers of two");
    }

    [Fact]
    public void Exactly_halfway_decimals_take_the_even_digit_and_even_significands_take_their_bounds()
    {
        // 1E+23 lies exactly halfway between two doubles and is read as the even one; 5E-324 is the smallest subnormal;
        // 22540949652426730 is a halfway point of an even significand; 0.3 and 2/3 the everyday cases.
        AssertSameAsBcl([1e23, 5e-324, 22540949652426730, 0.3, 2.0 / 3, 9007199254740993, 1e21, 1e22, 123456789012345678], "known cases");
        AssertSameAsBcl(Generate(16, r => (double)r.NextInt64(1, 1L << 53) * Math.ScaleB(1.0, r.Next(-60, 60))), "short dyadic values");
        AssertSameAsBcl(Generate(17, r => r.NextInt64(1, 100_000_000) / Math.Pow(10, r.Next(0, 23))), "short decimals");
    }

    [Fact]
    public void Fixed_and_exponent_notation_switch_where_the_BCL_switches()
    {
        Span<byte> dest = stackalloc byte[64];
        foreach (var (value, text) in new (double, string)[]
        {
            (0.0001, "0.0001"), (0.00012345, "0.00012345"), (1e-5, "1E-05"), (1.2345e-5, "1.2345E-05"),
            (1e16, "10000000000000000"), (12345678901234568, "12345678901234568"), (1e17, "1E+17"),
            (1.2345678901234568E+17, "1.2345678901234568E+17"), (-0.0, "-0"), (1e308, "1E+308"), (-5e-324, "-5E-324"),
        })
        {
            Assert.True(ShortestDouble.TryFormatUtf8(value, dest, out var n));
            Assert.Equal(text, Encoding.ASCII.GetString(dest[..n]));
        }
    }

    [Fact]
    public void A_destination_too_small_is_refused_and_an_exact_fit_is_filled()
    {
        Span<byte> dest = stackalloc byte[64];
        const double value = -1.2345678901234567E-300;
        var expected = value.ToString("R", CultureInfo.InvariantCulture);
        Assert.False(ShortestDouble.TryFormatUtf8(value, dest[..(expected.Length - 1)], out _));
        Assert.True(ShortestDouble.TryFormatUtf8(value, dest[..expected.Length], out var n));
        Assert.Equal(expected, Encoding.ASCII.GetString(dest[..n]));
    }

    [Fact]
    public void The_power_of_five_tables_are_exact()
    {
        static (ulong, ulong) Split(BigInteger v) => ((ulong)(v & ulong.MaxValue), (ulong)(v >> 64));
        for (var i = 0; i < ShortestDouble.Pow5Entries; i++)
        {
            var pow = BigInteger.Pow(5, i);
            var shift = (int)pow.GetBitLength() - 125;
            Assert.Equal(Split(shift >= 0 ? pow >> shift : pow << -shift), ShortestDouble.Pow5Entry(i));
        }
        for (var q = 0; q < ShortestDouble.Pow5InvEntries; q++)
        {
            var pow = BigInteger.Pow(5, q);
            Assert.Equal(Split((BigInteger.One << ((int)pow.GetBitLength() - 1 + 125)) / pow + 1), ShortestDouble.Pow5InvEntry(q));
        }
    }

    [Fact]
    public void The_fixed_point_logarithms_are_exact_over_the_ranges_used()
    {
        // exponents up to 1100 cover every double (binary exponents -1076..971, powers of five up to 5^341)
        var pow5 = BigInteger.One;
        for (var e = 0; e <= 1100; e++, pow5 *= 5)
        {
            Assert.Equal(e == 0 ? 1 : (int)pow5.GetBitLength(), ShortestDouble.Pow5Bits(e));
            var k = ShortestDouble.Log10Pow5(e);
            Assert.True(BigInteger.Pow(10, k) <= pow5 && pow5 < BigInteger.Pow(10, k + 1), $"log10(5^{e})");
            var pow2 = BigInteger.One << e;
            k = ShortestDouble.Log10Pow2(e);
            Assert.True(BigInteger.Pow(10, k) <= pow2 && pow2 < BigInteger.Pow(10, k + 1), $"log10(2^{e})");
        }
    }
}
