using System.Text.Json;
using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;

namespace Afml.Core.MarketData.Binance;

/// <summary>
/// GET /fapi/v1/klines, paged by <see cref="BinanceFeedOptions.PageLimit"/>, closed candles only: a bar whose close
/// time is not before the server's now is still forming and is dropped.
/// </summary>
public sealed class BinanceKlineClient(BinanceRestClient rest, string symbol, CandleInterval interval, int pageLimit = 1500)
{
    private const int MaxPages = 200;
    private readonly int _limit = Math.Clamp(pageLimit, 1, 1500);

    public BinanceRestClient Rest => rest;

    /// <summary>The most recent <paramref name="count"/> closed candles, oldest first, paging backwards.</summary>
    public async Task<ExchangeResult<IReadOnlyList<Candle>>> LatestClosedAsync(int count, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var byOpen = new SortedDictionary<long, Candle>();
        long? endTime = null;
        for (var page = 0; page < MaxPages && byOpen.Count < count; page++)
        {
            // +1: the newest page usually carries the open bar, which is dropped.
            var limit = Math.Min(_limit, count - byOpen.Count + 1);
            var r = await PageAsync(null, endTime, limit, ct).ConfigureAwait(false);
            if (!r.Success) return ExchangeResult<IReadOnlyList<Candle>>.Fail(r.Error!);
            var rows = r.Data!;
            if (rows.Count == 0) break;
            var now = rest.Clock.NowMs;
            foreach (var (c, close) in rows)
            {
                if (close >= now) continue;
                if (CandleSanity.Problem(c) is { } problem) return ExchangeResult<IReadOnlyList<Candle>>.Fail(ExchangeErrorKind.Unknown, Refused(c, problem));
                byOpen[c.OpenTime] = c;
            }
            endTime = rows[0].Candle.OpenTime - 1;
            if (rows.Count < limit) break;
        }
        return ExchangeResult<IReadOnlyList<Candle>>.Ok(byOpen.Values.Skip(Math.Max(0, byOpen.Count - count)).ToArray());
    }

    /// <summary>Every closed candle with open time ≥ <paramref name="startOpenTime"/>, oldest first, paging forwards.</summary>
    public async Task<ExchangeResult<IReadOnlyList<Candle>>> ClosedFromAsync(long startOpenTime, CancellationToken ct)
    {
        var result = new List<Candle>();
        var start = startOpenTime;
        for (var page = 0; page < MaxPages; page++)
        {
            var now = rest.Clock.NowMs;
            if (start + interval.Milliseconds > now) break; // that bar cannot be closed yet
            var expected = (now - start) / interval.Milliseconds + 1;
            var limit = (int)Math.Clamp(expected + 1, 1, _limit);
            var r = await PageAsync(start, null, limit, ct).ConfigureAwait(false);
            if (!r.Success) return result.Count > 0 ? ExchangeResult<IReadOnlyList<Candle>>.Ok(result) : ExchangeResult<IReadOnlyList<Candle>>.Fail(r.Error!);
            var rows = r.Data!;
            var open = false;
            foreach (var (c, close) in rows)
            {
                if (c.OpenTime < start) continue;
                if (close >= now) { open = true; break; }
                if (CandleSanity.Problem(c) is { } problem)
                {
                    // Stop before it: the sequencer has not passed it, so the next fetch asks for it again.
                    return result.Count > 0 ? ExchangeResult<IReadOnlyList<Candle>>.Ok(result) : ExchangeResult<IReadOnlyList<Candle>>.Fail(ExchangeErrorKind.Unknown, Refused(c, problem));
                }
                result.Add(c);
            }
            if (open || rows.Count < limit || result.Count == 0) break;
            start = result[^1].OpenTime + interval.Milliseconds;
        }
        return ExchangeResult<IReadOnlyList<Candle>>.Ok(result);
    }

    /// <summary>How the message of a page refused for an impossible candle starts.</summary>
    public const string RefusedCandlePrefix = "klines: impossible candle";

    /// <summary>The last candle refused as impossible, e.g. "BTCUSDT 1h of 2025-01-03T04:00:00Z (low is above high)".</summary>
    public string? LastRefused { get; private set; }

    private string Refused(in Candle c, string problem)
    {
        LastRefused = $"{symbol} {interval} of {c.OpenTimeUtc:yyyy-MM-ddTHH:mm:ssZ} ({problem})";
        return $"{RefusedCandlePrefix}: {LastRefused}; refused, it will be fetched again";
    }

    /// <summary>Request weight by limit: [1,100) 1, [100,500) 2, [500,1000] 5, above 10.</summary>
    public static int Weight(int limit) => limit switch { < 100 => 1, < 500 => 2, <= 1000 => 5, _ => 10 };

    private async Task<ExchangeResult<List<(Candle Candle, long CloseTime)>>> PageAsync(long? startTime, long? endTime, int limit, CancellationToken ct)
    {
        var q = new BinanceQuery().Add("symbol", symbol.ToUpperInvariant()).Add("interval", interval.Text);
        if (startTime is { } s) q.Add("startTime", s);
        if (endTime is { } e) q.Add("endTime", e);
        q.Add("limit", limit);
        var r = await rest.SendAsync(HttpMethod.Get, "/fapi/v1/klines", q, BinanceSecurity.None, Weight(limit), ct).ConfigureAwait(false);
        if (!r.Success) return ExchangeResult<List<(Candle, long)>>.Fail(r.Error!);
        try
        {
            return ExchangeResult<List<(Candle, long)>>.Ok(KlineParser.ParseRest(r.Data!.Body));
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return ExchangeResult<List<(Candle, long)>>.Fail(ExchangeErrorKind.Unknown, $"klines: unreadable answer ({ex.Message})");
        }
    }
}
