using System.Globalization;
using System.Text.Json;

namespace Afml.Core.Exchange.Binance;

/// <summary>Binance mark prices, read as strictly as klines: the <c>markPriceUpdate</c> stream event (raw or wrapped as
/// <c>{"stream","data"}</c>: e, E, s, p, i, P, r, T) and GET /fapi/v1/premiumIndex (symbol, markPrice, time). A mark
/// that is not a positive finite number, or a missing field, is a <see cref="FormatException"/>.</summary>
public static class MarkPriceParser
{
    /// <summary>A stream frame → its mark; null for anything that is not a markPriceUpdate (subscription replies).</summary>
    public static MarkPrice? ParseEvent(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var e = doc.RootElement;
        if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object) e = data;
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("e", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "markPriceUpdate") return null;
        return new MarkPrice(Text(e, "s"), Price(e, "p"), DateTimeOffset.FromUnixTimeMilliseconds(Long(e, "E")));
    }

    /// <summary>GET /fapi/v1/premiumIndex?symbol=… (an object; an array is searched for <paramref name="symbol"/>).</summary>
    public static MarkPrice ParsePremiumIndex(string json, string symbol)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in root.EnumerateArray())
                if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("symbol", out var s) && string.Equals(s.GetString(), symbol, StringComparison.OrdinalIgnoreCase))
                    return Read(item);
            throw new FormatException($"premiumIndex: no entry for {symbol}");
        }
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("premiumIndex: expected a JSON object");
        return Read(root);

        static MarkPrice Read(JsonElement o) => new(Text(o, "symbol"), Price(o, "markPrice"), DateTimeOffset.FromUnixTimeMilliseconds(Long(o, "time")));
    }

    private static string Text(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : throw new FormatException($"mark price: '{name}' missing or not a string");

    private static long Long(JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var v)) throw new FormatException($"mark price: '{name}' missing");
        return v.ValueKind switch
        {
            JsonValueKind.Number => v.GetInt64(),
            JsonValueKind.String => long.Parse(v.GetString()!, NumberStyles.Integer, CultureInfo.InvariantCulture),
            _ => throw new FormatException($"mark price: '{name}' is not an integer"),
        };
    }

    private static double Price(JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var v)) throw new FormatException($"mark price: '{name}' missing");
        var d = v.ValueKind switch
        {
            JsonValueKind.String => double.Parse(v.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture),
            JsonValueKind.Number => v.GetDouble(),
            _ => throw new FormatException($"mark price: '{name}' is not a number"),
        };
        return d > 0 && double.IsFinite(d) ? d : throw new FormatException($"mark price: '{name}' = '{v}' is not a positive finite price");
    }
}
