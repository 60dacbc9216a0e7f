using System.Globalization;
using System.Text.Json;

namespace Afml.Core.Exchange.Binance;

/// <summary>
/// Reads and adjusts the account configuration (<see cref="BinanceAccountSettings"/>) and reads the account's USDT
/// figures. In multi-assets mode the account totals are USD-valued across every asset (a capture: totalWalletBalance
/// 25.73 while USDT alone was 3.73), so capital is always taken from the USDT asset of the <c>assets</c> array.
/// </summary>
public sealed class BinanceAccountReader(BinanceRestClient rest)
{
    /// <summary>GET positionSide/dual and multiAssetsMargin (weight 30 each).</summary>
    public async Task<ExchangeResult<(bool Hedge, bool MultiAssets)>> ReadModesAsync(CancellationToken ct)
    {
        var dual = await rest.SendAsync(HttpMethod.Get, "/fapi/v1/positionSide/dual", new BinanceQuery(), BinanceSecurity.Signed, 30, ct).ConfigureAwait(false);
        if (!dual.Success) return ExchangeResult<(bool, bool)>.Fail(dual.Error!);
        var multi = await rest.SendAsync(HttpMethod.Get, "/fapi/v1/multiAssetsMargin", new BinanceQuery(), BinanceSecurity.Signed, 30, ct).ConfigureAwait(false);
        if (!multi.Success) return ExchangeResult<(bool, bool)>.Fail(multi.Error!);
        try
        {
            return ExchangeResult<(bool, bool)>.Ok((Flag(dual.Data!.Body, "dualSidePosition"), Flag(multi.Data!.Body, "multiAssetsMargin")));
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return ExchangeResult<(bool, bool)>.Fail(ExchangeErrorKind.Unknown, $"position/multi-assets mode: unreadable answer ({ex.Message})");
        }
    }

    /// <summary>GET /fapi/v1/symbolConfig (weight 5): the symbol's margin type and leverage, where v3 keeps them.
    /// (null, null) when the server does not have the endpoint or does not list the symbol.</summary>
    public async Task<(string? MarginType, int? Leverage)> ReadSymbolConfigAsync(string symbol, CancellationToken ct)
    {
        var config = await rest.SendAsync(HttpMethod.Get, "/fapi/v1/symbolConfig", new BinanceQuery().Add("symbol", symbol), BinanceSecurity.Signed, 5, ct).ConfigureAwait(false);
        if (!config.Success) return (null, null);
        try
        {
            using var doc = JsonDocument.Parse(config.Data!.Body);
            var entries = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement.EnumerateArray().ToArray() : [doc.RootElement];
            foreach (var e in entries)
            {
                if (!string.Equals(BinanceJson.TryString(e, "symbol"), symbol, StringComparison.OrdinalIgnoreCase)) continue;
                return (NormalizeMarginType(BinanceJson.TryString(e, "marginType")), (int?)BinanceJson.TryLong(e, "leverage"));
            }
        }
        catch (JsonException) { }
        return (null, null);
    }

    /// <summary>POST /fapi/v1/marginType. "No need to change" (-4046) is success.</summary>
    public async Task<ExchangeResult<bool>> SetMarginTypeAsync(string symbol, string marginType, CancellationToken ct)
    {
        var wire = NormalizeMarginType(marginType) switch
        {
            "isolated" => "ISOLATED",
            "cross" => "CROSSED",
            _ => null,
        };
        if (wire is null) return ExchangeResult<bool>.Fail(ExchangeErrorKind.Rejected, $"margin type '{marginType}' is neither ISOLATED nor CROSSED");
        var r = await rest.SendAsync(HttpMethod.Post, "/fapi/v1/marginType", new BinanceQuery().Add("symbol", symbol).Add("marginType", wire), BinanceSecurity.Signed, 1, ct).ConfigureAwait(false);
        if (r.Success || r.Error!.Code == -4046) return ExchangeResult<bool>.Ok(true);
        return ExchangeResult<bool>.Fail(r.Error);
    }

    /// <summary>"cross"/"crossed"/"CROSSED" → cross; "isolated"/"ISOLATED" → isolated.</summary>
    public static string? NormalizeMarginType(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "cross" or "crossed" => "cross",
        "isolated" => "isolated",
        null or "" => null,
        var other => other,
    };

    /// <summary>The USDT figures of GET /fapi/v2|v3/account: the USDT entry of <c>assets</c> (equal to the totals in
    /// single-asset mode). In multi-assets mode the asset's availableBalance is the cross-asset figure, so the USDT
    /// asset's own free margin (margin balance − initial margin) caps it.</summary>
    public static AccountSnapshot ParseUsdtAccount(string body, bool multiAssets)
    {
        using var doc = JsonDocument.Parse(body);
        var a = doc.RootElement;
        if (a.TryGetProperty("assets", out var assets) && assets.ValueKind == JsonValueKind.Array)
        {
            foreach (var asset in assets.EnumerateArray())
            {
                if (!string.Equals(BinanceJson.TryString(asset, "asset"), "USDT", StringComparison.Ordinal)) continue;
                var wallet = BinanceJson.Decimal(asset, "walletBalance");
                var unrealised = BinanceJson.TryDecimal(asset, "unrealizedProfit") ?? 0m;
                var margin = BinanceJson.TryDecimal(asset, "marginBalance") ?? wallet + unrealised;
                var available = BinanceJson.TryDecimal(asset, "availableBalance") ?? 0m;
                if (multiAssets)
                    available = Math.Max(0m, Math.Min(available, margin - (BinanceJson.TryDecimal(asset, "initialMargin") ?? 0m)));
                return new AccountSnapshot((double)wallet, (double)margin, (double)unrealised, (double)available);
            }
            if (multiAssets) return new AccountSnapshot(0, 0, 0, 0); // no USDT at all: nothing to trade with
        }
        return new AccountSnapshot(
            (double)BinanceJson.Decimal(a, "totalWalletBalance"),
            (double)BinanceJson.Decimal(a, "totalMarginBalance"),
            (double)BinanceJson.Decimal(a, "totalUnrealizedProfit"),
            (double)BinanceJson.Decimal(a, "availableBalance"));
    }

    private static bool Flag(string body, string name)
    {
        using var doc = JsonDocument.Parse(body);
        if (!doc.RootElement.TryGetProperty(name, out var v)) throw new FormatException($"field '{name}' is missing");
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String => bool.Parse(v.GetString()!),
            _ => throw new FormatException($"field '{name}' is not a boolean"),
        };
    }

    internal static string Describe(decimal value) => value.ToString("0.########", CultureInfo.InvariantCulture);
}
