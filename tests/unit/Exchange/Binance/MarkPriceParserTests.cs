using Afml.Core.Exchange.Binance;

namespace Afml.Tests.Exchange.Binance;

/// <summary>Mark prices in Binance's shapes (markPriceUpdate e/E/s/p/i/P/r/T; premiumIndex), read as strictly as klines.</summary>
public class MarkPriceParserTests
{
    private const string Event = """{"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000","i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000}""";

    [Fact]
    public void Raw_and_combined_events_and_premiumIndex_are_read()
    {
        var raw = MarkPriceParser.ParseEvent(Event)!;
        Assert.Equal("BTCUSDT", raw.Symbol);
        Assert.Equal(11794.15, raw.Price);
        Assert.Equal(1562305380000, raw.Time.ToUnixTimeMilliseconds());
        Assert.Equal(raw, MarkPriceParser.ParseEvent($$"""{"stream":"btcusdt@markPrice@1s","data":{{Event}}}"""));
        Assert.Null(MarkPriceParser.ParseEvent("""{"result":null,"id":1}"""));
        Assert.Null(MarkPriceParser.ParseEvent("""{"e":"kline","E":1,"s":"BTCUSDT"}"""));
        var rest = MarkPriceParser.ParsePremiumIndex("""{"symbol":"BTCUSDT","markPrice":"11793.63104562","indexPrice":"11781.80495970","estimatedSettlePrice":"11781.16138815","lastFundingRate":"0.00038246","interestRate":"0.00010000","nextFundingTime":1597392000000,"time":1597370495002}""", "BTCUSDT");
        Assert.Equal(11793.63104562, rest.Price);
        Assert.Equal(1597370495002, rest.Time.ToUnixTimeMilliseconds());
        var list = MarkPriceParser.ParsePremiumIndex("""[{"symbol":"ETHUSDT","markPrice":"1","time":1},{"symbol":"BTCUSDT","markPrice":"2","time":2}]""", "BTCUSDT");
        Assert.Equal(2, list.Price);
    }

    [Theory]
    [InlineData("""{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"0"}""")]
    [InlineData("""{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"-3"}""")]
    [InlineData("""{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"NaN"}""")]
    [InlineData("""{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"Infinity"}""")]
    [InlineData("""{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"abc"}""")]
    [InlineData("""{"e":"markPriceUpdate","E":1,"s":"BTCUSDT"}""")]
    [InlineData("""{"e":"markPriceUpdate","s":"BTCUSDT","p":"5"}""")]
    [InlineData("""{"e":"markPriceUpdate","E":1,"p":"5"}""")]
    [InlineData("""{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":true}""")]
    public void A_bad_mark_is_refused(string json) =>
        Assert.ThrowsAny<Exception>(() => MarkPriceParser.ParseEvent(json));

    [Fact]
    public void A_bad_premiumIndex_is_refused()
    {
        Assert.Throws<FormatException>(() => MarkPriceParser.ParsePremiumIndex("""{"symbol":"BTCUSDT","markPrice":"","time":1}""", "BTCUSDT"));
        Assert.Throws<FormatException>(() => MarkPriceParser.ParsePremiumIndex("""[{"symbol":"ETHUSDT","markPrice":"1","time":1}]""", "BTCUSDT"));
        Assert.Throws<FormatException>(() => MarkPriceParser.ParsePremiumIndex("12", "BTCUSDT"));
    }
}
