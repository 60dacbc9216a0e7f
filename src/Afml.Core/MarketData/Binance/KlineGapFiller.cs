using Afml.Core.Exchange.Binance;

namespace Afml.Core.MarketData.Binance;

/// <summary>
/// REST's side of <see cref="BinanceMarketFeed"/>: when to ask <c>/fapi/v1/klines</c> for the candles the sequencer
/// expects next, and asking. It is due at the expected candle's close plus a grace (stream mode:
/// <see cref="BinanceFeedOptions.CloseGrace"/>; polling: <see cref="BinanceFeedOptions.PollDelay"/>), at once after
/// a (re)connect, a gap or a refused stream candle, and, while a closed candle is still missing, again with
/// back-off (<see cref="BinanceFeedOptions.RestRetryDelay"/> doubling up to <see cref="BinanceFeedOptions.RestRetryMax"/>).
/// An impossible candle is fetched again, <see cref="BinanceFeedOptions.MaxRefusedFetches"/> times at most.
/// </summary>
internal sealed class KlineGapFiller(BinanceRestClient rest, BinanceKlineClient klines, CandleSequencer sequencer, BinanceFeedOptions options, bool streamMode, string name, Action<string> log)
{
    private int _misses;
    private bool _resync;
    private int _refused;

    /// <summary>When REST is asked next (local time).</summary>
    public DateTimeOffset Next { get; private set; }

    /// <summary>REST fetches made after the history.</summary>
    public int Fetches { get; private set; }

    public bool Due(DateTimeOffset now) => now >= Next;

    /// <summary>Next at the expected candle's deadline (it arrived, or nothing is missing yet).</summary>
    public void Expect() => Next = Deadline();

    /// <summary>Ask at once: the stream (re)connected and may have missed a close without a gap showing yet.</summary>
    public void AfterConnect(DateTimeOffset now)
    {
        Next = now;
        _resync = true;
    }

    /// <summary>Ask at <paramref name="at"/> (a gap, a bar newer than the expected one, a refused candle), unless a
    /// REST retry is already scheduled.</summary>
    public void Soon(DateTimeOffset at)
    {
        if (_misses == 0 && Next > at) Next = at;
    }

    /// <summary>The stream's final event for the expected candle was impossible: the server has closed it, so its
    /// clock is re-read (ours may lag, e.g. a venue whose clock jumps) and REST asked at <paramref name="at"/>.</summary>
    public void Refused(DateTimeOffset at)
    {
        _resync = true;
        Soon(at);
    }

    /// <summary>Fetches what the sequencer expects next and schedules the next ask: the deadline of the next
    /// candle when something came (or nothing is due yet), else a retry with back-off.</summary>
    public async Task<IReadOnlyList<Candle>> FetchAsync(DateTimeOffset now, CancellationToken ct)
    {
        var got = await BackfillAsync(_resync, ct).ConfigureAwait(false);
        _resync = false;
        if (got is { Count: > 0 }) _refused = 0;
        if (got is { Count: > 0 } || !ExpectedClosed())
        {
            _misses = 0;
            Next = Deadline();
        }
        else
        {
            _misses++;
            Next = now + BinanceMarketFeed.Backoff(options.RestRetryDelay, options.RestRetryMax, _misses);
        }
        return got ?? [];
    }

    /// <param name="afterReconnect">The stream was down: a close may have been missed without a gap showing yet.</param>
    private async Task<IReadOnlyList<Candle>?> BackfillAsync(bool afterReconnect, CancellationToken ct)
    {
        // A gap (or a reconnect, which may hide one) means the server may be ahead of what we have; make sure our
        // idea of its clock is too (a stale offset would make closed bars look open and stall the backfill until
        // the next close's grace deadline).
        if (sequencer.HasGap || afterReconnect || rest.Clock.NeedsSync(options.ClockCheckInterval)) await rest.SyncTimeAsync(ct).ConfigureAwait(false);
        Fetches++;
        var r = await klines.ClosedFromAsync(sequencer.NextOpenTime!.Value, ct).ConfigureAwait(false);
        if (!r.Success)
        {
            log($"{name}: REST klines failed: {r.Error}");
            if (r.Error!.Message.StartsWith(BinanceKlineClient.RefusedCandlePrefix, StringComparison.Ordinal) && ++_refused >= options.MaxRefusedFetches)
                throw new AfmlException("VenueCandleInvalid", AfmlErrorCategory.InvalidData,
                    $"The venue keeps serving an impossible candle: {klines.LastRefused}, refused in {_refused} REST fetches in a row at {rest.Environment.Rest}; no decision can be made on it.",
                    klines.LastRefused ?? name);
            return null;
        }
        return sequencer.OfferAuthoritative(r.Data!);
    }

    /// <summary>Local time at which the next expected candle is fetched over REST if it has not arrived.</summary>
    private DateTimeOffset Deadline()
    {
        var closeMs = sequencer.NextOpenTime!.Value + sequencer.IntervalMs;
        var delay = streamMode ? options.CloseGrace : options.PollDelay;
        return DateTimeOffset.FromUnixTimeMilliseconds(closeMs - rest.Clock.OffsetMs) + delay;
    }

    /// <summary>True when the next expected candle has closed by the server's clock.</summary>
    private bool ExpectedClosed() => rest.Clock.NowMs >= sequencer.NextOpenTime!.Value + sequencer.IntervalMs;
}
