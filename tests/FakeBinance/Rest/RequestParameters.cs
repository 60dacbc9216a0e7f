using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;

namespace Afml.FakeBinance.Rest;

/// <summary>A request's parameters from the query string and the form body together; a name sent in both
/// places takes the query-string value, as Binance documents.</summary>
internal sealed class RequestParameters
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public RequestParameters(string rawQuery, string rawBody)
    {
        foreach (var (key, value) in QueryHelpers.ParseQuery(rawBody))
            _values[key] = value.ToString();
        foreach (var (key, value) in QueryHelpers.ParseQuery(rawQuery))
            _values[key] = value.ToString();
    }

    public string? this[string name] => _values.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

    public bool Has(string name) => this[name] is not null;

    public bool TryLong(string name, out long value, out BinanceError? error)
    {
        value = 0;
        error = null;
        var text = this[name];
        if (text is null) return false;
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value)) return true;
        error = BinanceError.BadParam(name);
        return false;
    }

    public bool TryDecimal(string name, out decimal value, out BinanceError? error)
    {
        value = 0;
        error = null;
        var text = this[name];
        if (text is null) return false;
        if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value)) return true;
        error = BinanceError.BadParam(name);
        return false;
    }
}
