using System.Collections.Concurrent;
using System.Text.Json;

namespace Afml.Core.Exchange.Binance;

/// <summary>
/// The USDT prices of the assets a commission is paid in (BNB with the fee discount), so that a fill's fee is valued
/// without a <c>GET /fapi/v1/ticker/price</c> after every order. A pair is read over REST the first time a fill needs
/// it; from then on it is refreshed in the background every <paramref name="refresh"/> (one background turn per read:
/// it yields to the session's calls) and a fill is valued at the kept price while it is younger than twice that
/// (ages on the <see cref="TimeProvider"/>'s monotonic clock). An older one (the refreshes failed) is read again there
/// and then, as before. The price is the same ticker's (the venue's last price), only its age changes: up to
/// <paramref name="refresh"/> instead of "right after the fill". <paramref name="refresh"/> zero: every fill reads it.
/// </summary>
public sealed class BinanceConversionPrices(BinanceRestClient rest, TimeProvider time, TimeSpan refresh, BinanceRestTurns? turns = null) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (decimal Price, long At)> _kept = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stop = new();
    private Task? _refresher;
    private readonly object _gate = new();

    /// <summary>Prices read over REST (in a step or in the background), and fills valued from the kept price.</summary>
    public int Reads => _reads;
    public int KeptAnswers => _keptAnswers;
    private int _reads, _keptAnswers;

    /// <summary><paramref name="pair"/>'s price (e.g. BNBUSDT), null when the venue has none.</summary>
    public async Task<decimal?> PriceAsync(string pair, CancellationToken ct)
    {
        if (refresh > TimeSpan.Zero && _kept.TryGetValue(pair, out var kept) && time.GetElapsedTime(kept.At) < refresh * 2)
        {
            Interlocked.Increment(ref _keptAnswers);
            return kept.Price;
        }
        var price = await ReadAsync(pair, ct).ConfigureAwait(false);
        if (price is { } p && refresh > TimeSpan.Zero)
        {
            _kept[pair] = (p, time.GetTimestamp());
            lock (_gate) _refresher ??= Task.Run(() => RefreshAsync(_stop.Token), CancellationToken.None);
        }
        return price;
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(refresh, time, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            foreach (var pair in _kept.Keys)
            {
                try
                {
                    var price = turns is null
                        ? await ReadAsync(pair, ct).ConfigureAwait(false)
                        : await turns.InBackgroundAsync(() => ReadAsync(pair, ct), ct).ConfigureAwait(false);
                    if (price is { } p) _kept[pair] = (p, time.GetTimestamp());
                }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private Task<decimal?> ReadAsync(string pair, CancellationToken ct)
    {
        Interlocked.Increment(ref _reads);
        return TickerPriceAsync(rest, pair, ct);
    }

    /// <summary>One <c>GET /fapi/v1/ticker/price</c>: the pair's last price, or null when it cannot be had.</summary>
    internal static async Task<decimal?> TickerPriceAsync(BinanceRestClient rest, string pair, CancellationToken ct)
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

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task? refresher;
        lock (_gate) refresher = _refresher;
        if (refresher is not null) try { await refresher.ConfigureAwait(false); } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
