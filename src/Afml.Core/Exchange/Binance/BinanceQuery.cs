using System.Globalization;
using System.Text;

namespace Afml.Core.Exchange.Binance;

/// <summary>
/// An ordered list of request parameters, percent-encoded once (UTF-8, RFC 3986) into the string that is both
/// signed and sent. Order is kept as added; <c>signature</c> is appended last by the REST client.
/// </summary>
public sealed class BinanceQuery
{
    private readonly List<KeyValuePair<string, string>> _items = [];

    public IReadOnlyList<KeyValuePair<string, string>> Items => _items;

    public BinanceQuery Add(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        _items.Add(new(name, value));
        return this;
    }

    public BinanceQuery Add(string name, long value) => Add(name, value.ToString(CultureInfo.InvariantCulture));

    public BinanceQuery Add(string name, bool value) => Add(name, value ? "true" : "false");

    /// <summary>A copy to which the client can append timestamp and recvWindow without touching the caller's list.</summary>
    public BinanceQuery Clone()
    {
        var copy = new BinanceQuery();
        copy._items.AddRange(_items);
        return copy;
    }

    public string Encode()
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in _items)
        {
            if (sb.Length > 0) sb.Append('&');
            sb.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }
        return sb.ToString();
    }

    public override string ToString() => Encode();
}
