using System.Text.Json;

namespace Afml.Core.Exchange.Binance;

/// <summary>
/// GET /fapi/v1/exchangeInfo → one symbol's <see cref="SymbolRules"/> (PRICE_FILTER tickSize; LOT_SIZE and
/// MARKET_LOT_SIZE min/max/step; MIN_NOTIONAL's futures key <c>notional</c>) and the REQUEST_WEIGHT / ORDERS
/// per-minute limits.
/// </summary>
public static class SymbolRulesReader
{
    public sealed record Limits(int? WeightPerMinute, int? OrdersPerMinute);

    public static SymbolRules? Read(string exchangeInfoJson, string symbol, out Limits limits)
    {
        using var doc = JsonDocument.Parse(exchangeInfoJson);
        var root = doc.RootElement;
        limits = ReadLimits(root);
        if (!root.TryGetProperty("symbols", out var symbols) || symbols.ValueKind != JsonValueKind.Array) return null;
        foreach (var s in symbols.EnumerateArray())
        {
            if (!string.Equals(BinanceJson.TryString(s, "symbol"), symbol, StringComparison.OrdinalIgnoreCase)) continue;
            decimal tick = 0, step = 0, minQty = 0, maxQty = decimal.MaxValue, notional = 0, mStep = 0, mMin = 0, mMax = decimal.MaxValue;
            if (s.TryGetProperty("filters", out var filters) && filters.ValueKind == JsonValueKind.Array)
            {
                foreach (var f in filters.EnumerateArray())
                {
                    switch (BinanceJson.TryString(f, "filterType"))
                    {
                        case "PRICE_FILTER":
                            tick = BinanceJson.TryDecimal(f, "tickSize") ?? 0;
                            break;
                        case "LOT_SIZE":
                            step = BinanceJson.TryDecimal(f, "stepSize") ?? 0;
                            minQty = BinanceJson.TryDecimal(f, "minQty") ?? 0;
                            maxQty = Positive(BinanceJson.TryDecimal(f, "maxQty"));
                            break;
                        case "MARKET_LOT_SIZE":
                            mStep = BinanceJson.TryDecimal(f, "stepSize") ?? 0;
                            mMin = BinanceJson.TryDecimal(f, "minQty") ?? 0;
                            mMax = Positive(BinanceJson.TryDecimal(f, "maxQty"));
                            break;
                        case "MIN_NOTIONAL":
                            notional = BinanceJson.TryDecimal(f, "notional") ?? BinanceJson.TryDecimal(f, "minNotional") ?? 0;
                            break;
                    }
                }
            }
            return new SymbolRules(BinanceJson.TryString(s, "symbol")!, tick, step, minQty, maxQty, notional,
                mStep == 0 ? step : mStep, mStep == 0 && mMin == 0 ? minQty : mMin, mMax == decimal.MaxValue ? maxQty : mMax);
        }
        return null;
    }

    private static decimal Positive(decimal? value) => value is > 0 ? value.Value : decimal.MaxValue;

    private static Limits ReadLimits(JsonElement root)
    {
        int? weight = null, orders = null;
        if (root.TryGetProperty("rateLimits", out var rl) && rl.ValueKind == JsonValueKind.Array)
        {
            foreach (var l in rl.EnumerateArray())
            {
                if (BinanceJson.TryString(l, "interval") != "MINUTE" || BinanceJson.TryLong(l, "intervalNum") != 1) continue;
                var limit = (int?)BinanceJson.TryLong(l, "limit");
                switch (BinanceJson.TryString(l, "rateLimitType"))
                {
                    case "REQUEST_WEIGHT": weight = limit; break;
                    case "ORDERS": orders = limit; break;
                }
            }
        }
        return new Limits(weight, orders);
    }
}
