using System.Globalization;
using System.Text.RegularExpressions;

namespace Afml.Core.Exchange;

/// <summary>
/// Deterministic <c>newClientOrderId</c>s: <c>afml-&lt;session stamp&gt;-&lt;step&gt;[-&lt;leg&gt;]</c>, within Binance's
/// <c>^[\.A-Z\:/a-z0-9_-]{1,36}$</c>. The same session, step and leg always give the same id, so every retry of an
/// order is recognisable by its id. A session that sends many orders keeps its <see cref="SessionOrderIds"/>.
/// </summary>
public static partial class ClientOrderIds
{
    public const string Pattern = @"^[\.A-Z\:/a-z0-9_-]{1,36}$";
    public const int MaxLength = 36;
    internal const string Prefix = "afml-";

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex Valid();

    public static bool IsValid(string? id) => id is not null && Valid().IsMatch(id);

    /// <param name="sessionStamp">The session's stamp (e.g. 20261202_041418); characters outside the allowed set become '_'.</param>
    /// <param name="step">The session step (paso).</param>
    /// <param name="leg">Optional leg, e.g. "close", "open", "em".</param>
    public static string For(string sessionStamp, int step, string? leg = null) => new SessionOrderIds(sessionStamp).For(step, leg);

    /// <summary>The allowed characters kept, any other one '_'.</summary>
    internal static string Sanitize(string text) => string.Create(text.Length, text, static (dest, source) =>
    {
        for (var i = 0; i < source.Length; i++) dest[i] = IsAllowed(source[i]) ? source[i] : '_';
    });

    private static bool IsAllowed(char c) =>
        c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or ':' or '/' or '_' or '-';
}

/// <summary>
/// One session's client order ids (<see cref="ClientOrderIds"/>): its stamp checked and sanitized once, so an id is
/// then the session's head (<c>afml-</c> and as much of the stamp's end as fits) joined to its tail, every part valid
/// by construction (the allowed characters only, at most <see cref="ClientOrderIds.MaxLength"/> of them), with no
/// pattern match per order. The head depends only on the tail's length, so it is kept for the last length seen.
/// Used by one session's loop at a time (not thread-safe).
/// </summary>
public sealed class SessionOrderIds
{
    private readonly string _stamp;
    private int _headForTail = -1;
    private string _head = "";

    public SessionOrderIds(string sessionStamp)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionStamp);
        _stamp = ClientOrderIds.Sanitize(sessionStamp);
    }

    /// <param name="step">The session step (paso).</param>
    /// <param name="leg">Optional leg, e.g. "close", "open", "em".</param>
    public string For(int step, string? leg = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var stepText = step.ToString(CultureInfo.InvariantCulture);
        if (string.IsNullOrEmpty(leg)) return string.Concat(Head(1 + stepText.Length, step, leg), "-", stepText);
        var legTail = "-" + ClientOrderIds.Sanitize(leg);
        return string.Concat(Head(1 + stepText.Length + legTail.Length, step, leg), "-", stepText, legTail);
    }

    /// <summary><c>afml-</c> and the stamp's end (what varies between sessions) in the room a tail this long leaves.</summary>
    private string Head(int tailLength, int step, string? leg)
    {
        if (tailLength == _headForTail) return _head;
        var room = ClientOrderIds.MaxLength - ClientOrderIds.Prefix.Length - tailLength;
        if (room < 1) throw new ArgumentException($"Step {step} and leg '{leg}' leave no room for the session stamp in {ClientOrderIds.MaxLength} characters.", nameof(leg));
        _head = ClientOrderIds.Prefix + (_stamp.Length > room ? _stamp[^room..] : _stamp);
        _headForTail = tailLength;
        return _head;
    }
}
