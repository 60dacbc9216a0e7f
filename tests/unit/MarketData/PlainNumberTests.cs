using System.Globalization;
using System.Text;
using Afml.Core.MarketData;

namespace Afml.Tests.MarketData;

/// <summary>
/// The candle reader's number parser must accept, refuse and read exactly what
/// <c>double.TryParse(NumberStyles.Float, InvariantCulture)</c> and <c>long.TryParse(NumberStyles.Integer,
/// InvariantCulture)</c> do (the reader's candles and error messages depend on it): compared over seeded sets of
/// strings shaped like candle fields, and odd or broken ones.
/// </summary>
public class PlainNumberTests
{
    private static void AssertSameAsBcl(IEnumerable<string> texts, string what)
    {
        var mismatches = new List<string>();
        var count = 0;
        foreach (var text in texts)
        {
            count++;
            var bytes = Encoding.UTF8.GetBytes(text);
            var bclOk = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var bcl);
            var ok = PlainNumber.TryParseDouble(bytes, out var ours);
            if (ok == bclOk && BitConverter.DoubleToUInt64Bits(ours) == BitConverter.DoubleToUInt64Bits(bcl)) continue;
            mismatches.Add($"'{text}': ours {ok} {ours:R}, BCL {bclOk} {bcl:R}");
            if (mismatches.Count == 10) break;
        }
        Assert.True(mismatches.Count == 0, $"{what}: {string.Join("; ", mismatches)}");
        Assert.True(count > 0);
    }

    private static IEnumerable<string> Generate(int seed, int count, Func<Random, string> next)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++) yield return next(random);
    }

    private static string Digits(Random r, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++) chars[i] = (char)('0' + r.Next(10));
        return new string(chars);
    }

    [Fact]
    public void Prices_as_candle_files_write_them()
    {
        // as exchanges and pandas write them: 0-10 decimals, trailing zeros kept or not, 1E-3 .. 1E+7
        AssertSameAsBcl(Generate(21, 1_000_000, r =>
        {
            var value = Math.Round(Math.Pow(10, r.NextDouble() * 10 - 3), r.Next(0, 11));
            return r.Next(3) switch
            {
                0 => value.ToString("R", CultureInfo.InvariantCulture),
                1 => value.ToString("F" + r.Next(0, 11), CultureInfo.InvariantCulture),
                _ => value.ToString("F8", CultureInfo.InvariantCulture),
            };
        }), "prices");
    }

    [Fact]
    public void Digit_strings_of_every_length_around_the_exact_limits()
    {
        // up to 25 digits with the point anywhere: mantissas past 2^53 and 19 digits, fractions past 10^22
        AssertSameAsBcl(Generate(22, 1_000_000, r =>
        {
            var digits = Digits(r, r.Next(1, 26));
            var point = r.Next(-1, digits.Length + 1);
            var text = point < 0 ? digits : digits[..point] + "." + digits[point..];
            return (r.Next(4) switch { 0 => "-", 1 => "+", _ => "" }) + text;
        }), "digit strings");
        AssertSameAsBcl(Generate(23, 200_000, r => r.NextInt64(1L << 52, 1L << 54).ToString(CultureInfo.InvariantCulture) is var m && r.Next(2) == 0 ? m : m.Insert(r.Next(1, m.Length), ".")), "near 2^53");
    }

    [Fact]
    public void Odd_and_broken_fields_are_refused_or_read_as_the_BCL_does()
    {
        string[] odd =
        [
            "", "-", "+", ".", "-.", "+.", "5.", ".5", "-.5", "+.5", "-0", "+0", "-0.0", "0", "00", "000.000", "0001.5000",
            "1.2.3", "1,5", "1..5", "--1", "+-1", "-+1", " 1.5", "1.5 ", " 1.5 ", "1 .5", "1e5", "1E5", "1e-5", "1E+5", ".5e1",
            "5.e1", "1e", "1e+", "e5", "NaN", "nan", "-NaN", "Infinity", "-Infinity", "∞", "-∞", "inf", "0x10", "1_000",
            "١٢٣", "1.5\t", "\t1.5", "1.5\n", "9007199254740992", "9007199254740993", "9007199254740992.5", "0.0000000000000000000001",
            "0.00000000000000000000001", "1234567890123456789", "12345678901234567890", "18446744073709551615", "18446744073709551616",
            "4503599627370496.5", "1.7976931348623157E+308", "1.8E+308", "1E-400", "-1E-400", "1e400",
        ];
        AssertSameAsBcl(odd, "odd fields");
        const string alphabet = "0123456789.-+eE ,\tx";
        AssertSameAsBcl(Generate(24, 500_000, r =>
        {
            var chars = new char[r.Next(0, 12)];
            for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[r.Next(i == 0 || r.Next(3) > 0 ? 10 : alphabet.Length)];
            return new string(chars);
        }), "random characters");
    }

    [Fact]
    public void The_common_shape_is_read_without_the_BCL_and_the_rest_is_left_to_it()
    {
        // the fast path must actually be taken (else the tests above would pass with it dead), and only where exact
        foreach (var text in new[] { "123.45", "-0.00012345", "+42", "16000.5", "9007199254740992", "0.123456789012345", "000123.4500000000" })
            Assert.True(PlainNumber.TryExactDouble(Encoding.ASCII.GetBytes(text), out _), text);
        foreach (var text in new[] { "1e5", "9007199254740993", "12345678901234567890", "0.00000000000000000000001", " 1", "NaN", "", "." })
            Assert.False(PlainNumber.TryExactDouble(Encoding.ASCII.GetBytes(text), out _), text);
        Assert.True(PlainNumber.TryDigits("1700000000000"u8, out var ms));
        Assert.Equal(1_700_000_000_000, ms);
        Assert.False(PlainNumber.TryDigits("+1700000000000"u8, out _));
    }

    [Fact]
    public void Open_times_are_refused_or_read_as_longs_TryParse_does()
    {
        var texts = new List<string>
        {
            "", "-", "+", "0", "-0", "+5", " 1", "1 ", "1.0", "1e3", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "-9223372036854775809", "999999999999999999", "1000000000000000000", "00000000000000000001",
        };
        var random = new Random(25);
        for (var i = 0; i < 300_000; i++)
        {
            var digits = Digits(random, random.Next(0, 22));
            texts.Add(random.Next(8) switch { 0 => "-" + digits, 1 => "+" + digits, 2 => digits + " ", _ => digits });
        }
        foreach (var text in texts)
        {
            var bclOk = long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bcl);
            var ok = PlainNumber.TryParseLong(Encoding.UTF8.GetBytes(text), out var ours);
            Assert.True(ok == bclOk && ours == bcl, $"'{text}': ours {ok} {ours}, BCL {bclOk} {bcl}");
        }
    }
}
