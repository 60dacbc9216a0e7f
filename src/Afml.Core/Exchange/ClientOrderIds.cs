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
/// then one string built from parts that are valid by construction (the allowed characters only, at most
/// <see cref="ClientOrderIds.MaxLength"/> of them), with no pattern match per order.
/// </summary>
public sealed class SessionOrderIds
{
    private readonly string _stamp;

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
        Span<char> digits = stackalloc char[10];
        step.TryFormat(digits, out var stepLength, provider: CultureInfo.InvariantCulture);
        var stepText = digits[..stepLength];
        var legText = string.IsNullOrEmpty(leg) ? "" : ClientOrderIds.Sanitize(leg);
        var tail = 1 + stepLength + (legText.Length > 0 ? 1 + legText.Length : 0);
        var room = ClientOrderIds.MaxLength - ClientOrderIds.Prefix.Length - tail;
        if (room < 1) throw new ArgumentException($"Step {step} and leg '{leg}' leave no room for the session stamp in {ClientOrderIds.MaxLength} characters.", nameof(leg));
        var stamp = _stamp.AsSpan();
        if (stamp.Length > room) stamp = stamp[^room..]; // the stamp's end (the time) is what varies between sessions
        Span<char> id = stackalloc char[ClientOrderIds.MaxLength];
        var n = 0;
        Append(id, ref n, ClientOrderIds.Prefix);
        Append(id, ref n, stamp);
        Append(id, ref n, "-");
        Append(id, ref n, stepText);
        if (legText.Length > 0)
        {
            Append(id, ref n, "-");
            Append(id, ref n, legText);
        }
        return new string(id[..n]);
    }

    private static void Append(Span<char> id, ref int n, ReadOnlySpan<char> part)
    {
        part.CopyTo(id[n..]);
        n += part.Length;
    }
}
