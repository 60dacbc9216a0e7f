using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Afml.Core.Exchange;

/// <summary>
/// Deterministic <c>newClientOrderId</c>s: <c>afml-&lt;session stamp&gt;-&lt;step&gt;[-&lt;leg&gt;]</c>, within Binance's
/// <c>^[\.A-Z\:/a-z0-9_-]{1,36}$</c>. The same session, step and leg always give the same id, so every retry of an
/// order is recognisable by its id.
/// </summary>
public static partial class ClientOrderIds
{
    public const string Pattern = @"^[\.A-Z\:/a-z0-9_-]{1,36}$";
    public const int MaxLength = 36;

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex Valid();

    public static bool IsValid(string? id) => id is not null && Valid().IsMatch(id);

    /// <param name="sessionStamp">The session's stamp (e.g. 20261202_041418); characters outside the allowed set become '_'.</param>
    /// <param name="step">The session step (paso).</param>
    /// <param name="leg">Optional leg, e.g. "close", "open", "em".</param>
    public static string For(string sessionStamp, int step, string? leg = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionStamp);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var stepText = step.ToString(CultureInfo.InvariantCulture);
        var tail = "-" + stepText + (string.IsNullOrEmpty(leg) ? "" : "-" + Sanitize(leg));
        var stamp = Sanitize(sessionStamp);
        var room = MaxLength - "afml-".Length - tail.Length;
        if (room < 1) throw new ArgumentException($"Step {stepText} and leg '{leg}' leave no room for the session stamp in {MaxLength} characters.", nameof(leg));
        if (stamp.Length > room) stamp = stamp[^room..]; // the stamp's end (the time) is what varies between sessions
        var id = "afml-" + stamp + tail;
        return IsValid(id) ? id : throw new ArgumentException($"'{id}' is not a valid client order id.", nameof(sessionStamp));
    }

    private static string Sanitize(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text) sb.Append(c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or ':' or '/' or '_' or '-' ? c : '_');
        return sb.ToString();
    }
}
