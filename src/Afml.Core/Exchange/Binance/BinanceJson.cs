using System.Globalization;
using System.Text.Json;

namespace Afml.Core.Exchange.Binance;

/// <summary>Reading Binance's JSON: decimals arrive as strings ("0.001"), ids and times as numbers.</summary>
internal static class BinanceJson
{
    public static decimal Decimal(JsonElement obj, string name) =>
        TryDecimal(obj, name) ?? throw new FormatException($"field '{name}' is missing or not a number");

    public static decimal? TryDecimal(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.String when decimal.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            JsonValueKind.Number when v.TryGetDecimal(out var d) => d,
            _ => null,
        };
    }

    public static long? TryLong(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.Number when v.TryGetInt64(out var l) => l,
            JsonValueKind.String when long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
            _ => null,
        };
    }

    public static string? TryString(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static double ParseDouble(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => double.Parse(v.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture),
        JsonValueKind.Number => v.GetDouble(),
        _ => throw new FormatException($"expected a number, got {v.ValueKind}"),
    };
}
