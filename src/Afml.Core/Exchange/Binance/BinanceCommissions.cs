using System.Globalization;
using System.Text.Json;

namespace Afml.Core.Exchange.Binance;

/// <summary>
/// An order's commission as Binance charged it: GET /fapi/v1/userTrades (weight 5) summed per
/// <c>commissionAsset</c>, each non-USDT part (BNB with the fee discount) valued in USDT at the asset's price on the
/// venue right after the fill (GET /fapi/v1/ticker/price?symbol=&lt;ASSET&gt;USDT, weight 1). A part whose price
/// cannot be read keeps its raw amount and is logged, and the total is then unknown (null), as it is when the trades
/// cannot be read: the session charges the config's rate instead and says so.
/// </summary>
public sealed class BinanceCommissions(BinanceRestClient rest, Action<string>? log = null)
{
    private const string Quote = "USDT";

    public async Task<(decimal? UsdtTotal, IReadOnlyList<CommissionCharge> Charges)> ReadAsync(string symbol, long orderId, CancellationToken ct)
    {
        var r = await rest.SendAsync(HttpMethod.Get, "/fapi/v1/userTrades",
            new BinanceQuery().Add("symbol", symbol).Add("orderId", orderId), BinanceSecurity.Signed, 5, ct).ConfigureAwait(false);
        if (!r.Success) return (null, []);
        var amounts = new List<(string Asset, decimal Amount)>();
        try
        {
            using var doc = JsonDocument.Parse(r.Data!.Body);
            if (doc.RootElement.ValueKind != JsonValueKind.Array) return (null, []);
            foreach (var t in doc.RootElement.EnumerateArray())
            {
                var asset = BinanceJson.TryString(t, "commissionAsset") ?? Quote;
                var amount = BinanceJson.TryDecimal(t, "commission") ?? 0m;
                var i = amounts.FindIndex(a => a.Asset == asset);
                if (i < 0) amounts.Add((asset, amount));
                else amounts[i] = (asset, amounts[i].Amount + amount);
            }
        }
        catch (JsonException)
        {
            return (null, []);
        }
        var charges = new List<CommissionCharge>(amounts.Count);
        decimal? total = 0m;
        foreach (var (asset, amount) in amounts)
        {
            decimal? value = asset == Quote ? amount : amount == 0m ? 0m : await PriceAsync(asset + Quote, ct).ConfigureAwait(false) * amount;
            if (value is null)
                log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"Comisión de la orden {orderId}: {amount} {asset} sin precio {asset}{Quote} en el venue; se registra sin valor en USDT."));
            total = value is { } v && total is { } t ? t + v : null;
            charges.Add(new CommissionCharge(asset, amount, value));
        }
        return (total, charges);
    }

    private async Task<decimal?> PriceAsync(string pair, CancellationToken ct)
    {
        var r = await rest.SendAsync(HttpMethod.Get, "/fapi/v1/ticker/price", new BinanceQuery().Add("symbol", pair), BinanceSecurity.None, 1, ct).ConfigureAwait(false);
        if (!r.Success) return null;
        try
        {
            using var doc = JsonDocument.Parse(r.Data!.Body);
            return BinanceJson.TryDecimal(doc.RootElement, "price") is { } p && p > 0m ? p : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
