using Afml.Core.Exchange.Binance;

namespace Afml.Tests.Exchange.Binance;

public class BinanceEnvironmentTests
{
    [Fact]
    public void Production_uses_the_routed_market_endpoint()
    {
        var p = BinanceEnvironment.Production;
        Assert.True(p.IsLive);
        Assert.Equal(new Uri("https://fapi.binance.com"), p.Rest);
        Assert.Equal("wss://fstream.binance.com/market/ws/btcusdt@kline_1m", p.MarketStream("btcusdt@kline_1m").ToString());
        Assert.Equal(new Uri("wss://fstream.binance.com/private"), p.UserStreams);
    }

    [Fact]
    public void Testnet_is_the_demo_rest_host_and_not_live()
    {
        var t = BinanceEnvironment.Testnet;
        Assert.False(t.IsLive);
        Assert.Equal("binance-testnet", t.Name);
        Assert.Equal(new Uri("https://demo-fapi.binance.com"), t.Rest);
    }

    [Fact]
    public void Local_derives_ws_addresses_from_the_http_base()
    {
        var l = BinanceEnvironment.Local(new Uri("http://127.0.0.1:18080/"));
        Assert.Equal(new Uri("http://127.0.0.1:18080"), l.Rest);
        Assert.Equal("ws://127.0.0.1:18080/market/ws/btcusdt@kline_1h", l.MarketStream("btcusdt@kline_1h").ToString());
        Assert.Equal(new Uri("ws://127.0.0.1:18080/private"), l.UserStreams);
        Assert.False(l.IsLive);
        var overridden = BinanceEnvironment.Testnet with { MarketStreams = new Uri("wss://demo-fstream.binance.com/market") };
        Assert.Equal("wss://demo-fstream.binance.com/market/ws/x", overridden.MarketStream("x").ToString());
    }
}
