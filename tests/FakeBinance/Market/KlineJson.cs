using System.Text.Json.Nodes;
using Afml.Core.MarketData;

namespace Afml.FakeBinance.Market;

/// <summary>Kline payloads in Binance's shapes: the 12-element REST array and the stream "kline" event. Fields the
/// CSV lacks (trades, quote and taker volumes) are derived deterministically from it.</summary>
internal sealed class KlineJson(string symbol, CandleInterval interval, int pricePrecision)
{
    private string P(double v) => Num.Fixed((decimal)v, pricePrecision);
    private static string V(double v) => Num.Plain(Math.Round((decimal)v, 8));
    private static long Trades(Candle c) => 1 + (long)Math.Min(1e9, Math.Abs(c.Volume));
    private static long FirstTradeId(Candle c) => c.OpenTime / 1000;
    private long CloseTime(Candle c) => c.OpenTime + interval.Milliseconds - 1;

    public JsonArray RestArray(Candle c) =>
    [
        c.OpenTime, P(c.Open), P(c.High), P(c.Low), P(c.Close), V(c.Volume), CloseTime(c),
        V(c.Volume * c.Close), Trades(c), V(c.Volume / 2), V(c.Volume * c.Close / 2), "0",
    ];

    public string StreamName => symbol.ToLowerInvariant() + "@kline_" + interval.Text;

    public string Event(Candle c, bool closed, long eventTime) => new JsonObject
    {
        ["e"] = "kline",
        ["E"] = eventTime,
        ["s"] = symbol,
        ["k"] = new JsonObject
        {
            ["t"] = c.OpenTime,
            ["T"] = CloseTime(c),
            ["s"] = symbol,
            ["i"] = interval.Text,
            ["f"] = FirstTradeId(c),
            ["L"] = FirstTradeId(c) + Trades(c) - 1,
            ["o"] = P(c.Open),
            ["c"] = P(c.Close),
            ["h"] = P(c.High),
            ["l"] = P(c.Low),
            ["v"] = V(c.Volume),
            ["n"] = Trades(c),
            ["x"] = closed,
            ["q"] = V(c.Volume * c.Close),
            ["V"] = V(c.Volume / 2),
            ["Q"] = V(c.Volume * c.Close / 2),
            ["B"] = "0",
        },
    }.ToJsonString();

    /// <summary>The in-progress view of <paramref name="final"/> after fraction <paramref name="f"/> of the bar.</summary>
    public static Candle Partial(Candle final, double f)
    {
        var close = final.Open + (final.Close - final.Open) * f;
        var high = Math.Max(Math.Max(final.Open, close), final.Open + (final.High - final.Open) * f);
        var low = Math.Min(Math.Min(final.Open, close), final.Open + (final.Low - final.Open) * f);
        return new Candle(final.OpenTime, final.Open, high, low, close, final.Volume * f);
    }
}
