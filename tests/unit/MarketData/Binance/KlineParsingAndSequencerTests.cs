using Afml.Core.MarketData;
using Afml.Core.MarketData.Binance;

namespace Afml.Tests.MarketData.Binance;

public class KlineParsingAndSequencerTests
{
    private static readonly CandleInterval M1 = CandleInterval.Parse("1m");
    private static Candle C(long minute, double close = 1) => new(minute * 60_000, 1, 2, 0.5, close, 3);

    [Fact]
    public void Parses_rest_rows_invariantly()
    {
        var rows = KlineParser.ParseRest("""[[1700000000000,"37000.10","37010.00","36990.00","37005.50","12.345",1700000059999,"456789.12",321,"6.100","225700.33","0"]]""");
        var (c, close) = Assert.Single(rows);
        Assert.Equal(new Candle(1700000000000, 37000.10, 37010.00, 36990.00, 37005.50, 12.345), c);
        Assert.Equal(1700000059999, close);
    }

    [Fact]
    public void Parses_raw_and_combined_stream_events()
    {
        const string k = """{"e":"kline","E":1700000060012,"s":"BTCUSDT","k":{"t":1700000000000,"T":1700000059999,"s":"BTCUSDT","i":"1m","f":1,"L":2,"o":"37000.10","c":"37005.50","h":"37010.00","l":"36990.00","v":"12.345","n":321,"x":true,"q":"1","V":"1","Q":"1","B":"0"}}""";
        var raw = KlineParser.ParseEvent(k)!.Value;
        Assert.True(raw.IsClosed);
        Assert.Equal(1700000000000, raw.Candle.OpenTime);
        Assert.Equal(37005.50, raw.Candle.Close);
        Assert.Equal(raw, KlineParser.ParseEvent($$"""{"stream":"btcusdt@kline_1m","data":{{k}}}"""));
        Assert.False(KlineParser.ParseEvent(k.Replace("\"x\":true", "\"x\":false"))!.Value.IsClosed);
        Assert.Null(KlineParser.ParseEvent("""{"result":null,"id":1}"""));
    }

    [Fact]
    public void Releases_in_order_and_drops_repeats()
    {
        var s = new CandleSequencer(M1, lastOpenTime: 10 * 60_000);
        Assert.Empty(s.Offer(C(10)));
        Assert.Equal([C(11)], s.Offer(C(11)));
        Assert.Empty(s.Offer(C(11, close: 9)));
        Assert.Equal([C(12)], s.Offer(C(12)));
        Assert.Equal(2, s.Duplicates);
        Assert.Equal(13 * 60_000, s.NextOpenTime);
    }

    [Fact]
    public void A_stream_gap_waits_for_the_rest_backfill()
    {
        var s = new CandleSequencer(M1, lastOpenTime: 10 * 60_000);
        Assert.Empty(s.Offer(C(13)));
        Assert.Empty(s.Offer(C(14)));
        Assert.True(s.HasGap);
        Assert.Equal(13 * 60_000, s.FirstPending);
        // REST returns 11..13 (overlapping the waiting 13): released 11, 12, 13 (REST's), then the waiting 14.
        var released = s.OfferAuthoritative([C(12), C(11), C(13, close: 7)]);
        Assert.Equal([11L, 12, 13, 14], released.Select(c => c.OpenTime / 60_000));
        Assert.Equal(7, released[2].Close);
        Assert.False(s.HasGap);
    }

    [Fact]
    public void A_bar_rest_skips_is_accepted_as_missing()
    {
        var s = new CandleSequencer(M1, lastOpenTime: 10 * 60_000);
        Assert.Equal([11L, 13], s.OfferAuthoritative([C(11), C(13), C(10)]).Select(c => c.OpenTime / 60_000));
        Assert.Equal(1, s.Skipped);
        Assert.Empty(s.Offer(C(12))); // late stream repeat of a bar already passed
    }

    [Fact]
    public void Off_grid_candles_are_dropped()
    {
        var s = new CandleSequencer(M1, lastOpenTime: 10 * 60_000);
        Assert.Empty(s.Offer(new Candle(11 * 60_000 + 5, 1, 1, 1, 1, 1)));
        Assert.False(s.HasGap);
    }
}
