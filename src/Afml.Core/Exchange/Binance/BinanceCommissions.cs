using System.Globalization;
using System.Text.Json;

namespace Afml.Core.Exchange.Binance;

/// <summary>
/// An order's commission as Binance charged it: the fills' <c>n</c>/<c>N</c> from the user-data stream, or
/// GET /fapi/v1/userTrades (weight 5) when the stream did not deliver them; summed per
/// <c>commissionAsset</c>, each non-USDT part (BNB with the fee discount) valued in USDT at the asset's price on the
/// venue (GET /fapi/v1/ticker/price?symbol=&lt;ASSET&gt;USDT, weight 1): kept and refreshed in the background by
/// <paramref name="prices"/> (no call after each order), or read right after the fill without it. A part whose price
/// cannot be read keeps its raw amount and is logged, and the total is then unknown (null), as it is when the trades
/// cannot be read: the session charges the config's rate instead and says so.
/// </summary>
public sealed class BinanceCommissions(BinanceRestClient rest, Action<string>? log = null, BinanceConversionPrices? prices = null)
{
    private const string Quote = "USDT";

    public async Task<(decimal? UsdtTotal, IReadOnlyList<CommissionCharge> Charges)> ReadAsync(string symbol, long orderId, CancellationToken ct)
    {
        var r = await rest.SendAsync(HttpMethod.Get, "/fapi/v1/userTrades",
            new BinanceQuery().Add("symbol", symbol).Add("orderId", orderId), BinanceSecurity.Signed, 5, ct).ConfigureAwait(false);
        if (!r.Success) return (null, []);
        IReadOnlyList<BinanceTrade> trades;
        try { trades = ParseTrades(r.Data!.Body); }
        catch (Exception ex) when (ex is JsonException or FormatException) { return (null, []); }
        return await ValueAsync(trades, orderId, ct).ConfigureAwait(false);
    }

    /// <summary>The commission of <paramref name="trades"/> (from the user-data stream's <c>n</c>/<c>N</c>, or from
    /// userTrades): summed per asset, each non-USDT part valued in USDT at the venue's price (kept current, or read now).</summary>
    public async Task<(decimal? UsdtTotal, IReadOnlyList<CommissionCharge> Charges)> ValueAsync(IEnumerable<BinanceTrade> trades, long orderId, CancellationToken ct)
    {
        var amounts = new List<(string Asset, decimal Amount)>();
        foreach (var t in trades)
        {
            var i = amounts.FindIndex(a => a.Asset == t.CommissionAsset);
            if (i < 0) amounts.Add((t.CommissionAsset, t.Commission));
            else amounts[i] = (t.CommissionAsset, amounts[i].Amount + t.Commission);
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

    /// <summary>GET /fapi/v1/userTrades's array as trades.</summary>
    /// <exception cref="FormatException">Not an array.</exception>
    public static IReadOnlyList<BinanceTrade> ParseTrades(string body)
    {
        using var doc = JsonDocument.Parse(body);
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new FormatException("userTrades: not an array");
        var trades = new List<BinanceTrade>();
        foreach (var t in doc.RootElement.EnumerateArray())
            trades.Add(new BinanceTrade(
                BinanceJson.TryLong(t, "id") ?? 0,
                BinanceJson.TryLong(t, "orderId") ?? 0,
                BinanceJson.TryString(t, "symbol") ?? "",
                BinanceJson.TryString(t, "side") == "SELL" ? OrderSide.Sell : OrderSide.Buy,
                BinanceJson.TryDecimal(t, "qty") ?? 0m,
                BinanceJson.TryDecimal(t, "price") ?? 0m,
                BinanceJson.TryDecimal(t, "commission") ?? 0m,
                BinanceJson.TryString(t, "commissionAsset") ?? Quote,
                BinanceJson.TryDecimal(t, "realizedPnl") ?? 0m,
                BinanceJson.TryLong(t, "time") ?? 0));
        return trades;
    }

    private async Task<decimal?> PriceAsync(string pair, CancellationToken ct) =>
        prices is not null
            ? await prices.PriceAsync(pair, ct).ConfigureAwait(false)
            : await BinanceConversionPrices.TickerPriceAsync(rest, pair, ct).ConfigureAwait(false);
}
