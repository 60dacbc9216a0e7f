using System.Globalization;
using System.Text;
using Afml.Core.Exchange;

namespace Afml.Tests.Exchange;

/// <summary>A session's ids, built from its stamp sanitized once, are the very ids the per-call rule gave.</summary>
public class ClientOrderIdsTests
{
    public static TheoryData<string> Stamps => new()
    {
        "20261202_041418",
        "20261202_041418-ab12",
        "a very long session stamp with spaces 20261202_041418-ab12",
        "año:ñ/ü 2026.12.02 #1",
        "x",
    };

    [Theory]
    [MemberData(nameof(Stamps))]
    public void A_sessions_ids_are_byte_identical_to_the_per_call_rule_and_valid(string stamp)
    {
        var ids = new SessionOrderIds(stamp);
        foreach (var step in new[] { 0, 1, 9, 10, 99, 12_345, 99_999, 100_000, 1_234_567, int.MaxValue })
            foreach (var leg in new[] { null, "", "em", "fin", "ps", "close", "leg with spaces!" })
            {
                var expected = PerCallRule(stamp, step, leg);
                var id = ids.For(step, leg);
                Assert.Equal(expected, id);
                Assert.Equal(expected, ClientOrderIds.For(stamp, step, leg));
                Assert.True(ClientOrderIds.IsValid(id), id);
            }
    }

    [Fact]
    public void A_leg_that_leaves_no_room_for_the_stamp_is_refused_and_an_empty_stamp_or_negative_step_too()
    {
        Assert.Throws<ArgumentException>(() => new SessionOrderIds("20261202_041418").For(1, new string('l', 30)));
        Assert.Throws<ArgumentException>(() => new SessionOrderIds(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SessionOrderIds("s").For(-1));
    }

    /// <summary>The rule as it was written before a session kept its ids: everything worked out again at each call.</summary>
    private static string PerCallRule(string sessionStamp, int step, string? leg)
    {
        static string Sanitize(string text)
        {
            var sb = new StringBuilder(text.Length);
            foreach (var c in text) sb.Append(c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or ':' or '/' or '_' or '-' ? c : '_');
            return sb.ToString();
        }
        var stepText = step.ToString(CultureInfo.InvariantCulture);
        var tail = "-" + stepText + (string.IsNullOrEmpty(leg) ? "" : "-" + Sanitize(leg));
        var stamp = Sanitize(sessionStamp);
        var room = 36 - "afml-".Length - tail.Length;
        if (stamp.Length > room) stamp = stamp[^room..];
        return "afml-" + stamp + tail;
    }
}
