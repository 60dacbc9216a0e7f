using System.Globalization;
using System.Text.Json;

namespace Afml.Core.MarketData.Binance;

/// <summary>Binance klines: REST rows (12-element arrays, prices as strings) and kline stream events (raw or
/// wrapped as <c>{"stream":…,"data":…}</c>). Numbers are parsed invariant.</summary>
public static class KlineParser
{
    /// <summary>GET /fapi/v1/klines → (candle, close time) pairs, oldest first.</summary>
    public static List<(Candle Candle, long CloseTime)> ParseRest(string json)
    {
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new FormatException("klines: expected a JSON array");
        var list = new List<(Candle, long)>(doc.RootElement.GetArrayLength());
        foreach (var row in doc.RootElement.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() < 7) throw new FormatException("klines: a row is not a 12-element array");
            var candle = new Candle(Long(row[0]), Num(row[1]), Num(row[2]), Num(row[3]), Num(row[4]), Num(row[5]));
            list.Add((candle, Long(row[6])));
        }
        return list;
    }

    /// <summary>A stream frame → its kline event; null for anything else (subscription replies, other events).</summary>
    public static KlineEvent? ParseEvent(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var e = doc.RootElement;
        if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object) e = data;
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("k", out var k) || k.ValueKind != JsonValueKind.Object) return null;
        if (e.TryGetProperty("e", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() != "kline") return null;
        var candle = new Candle(Long(k.GetProperty("t")), Num(k.GetProperty("o")), Num(k.GetProperty("h")), Num(k.GetProperty("l")),
            Num(k.GetProperty("c")), Num(k.GetProperty("v")));
        var closed = k.TryGetProperty("x", out var x) && x.ValueKind == JsonValueKind.True;
        return new KlineEvent(candle, Long(k.GetProperty("T")), closed);
    }

    private static long Long(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number => v.GetInt64(),
        JsonValueKind.String => long.Parse(v.GetString()!, NumberStyles.Integer, CultureInfo.InvariantCulture),
        _ => throw new FormatException($"expected an integer, got {v.ValueKind}"),
    };

    private static double Num(JsonElement v)
    {
        var d = v.ValueKind switch
        {
            JsonValueKind.String => double.Parse(v.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture),
            JsonValueKind.Number => v.GetDouble(),
            _ => throw new FormatException($"expected a number, got {v.ValueKind}"),
        };
        return double.IsFinite(d) ? d : throw new FormatException($"'{v}' is not a finite number");
    }
}
