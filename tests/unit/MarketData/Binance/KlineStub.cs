using System.Globalization;
using System.Text;
using Afml.Core.MarketData;
using Afml.Core.MarketData.Binance;
using Afml.Tests.Exchange.Binance;

namespace Afml.Tests.MarketData.Binance;

/// <summary>Serves a deterministic kline series on the stub's GET /fapi/v1/klines with Binance's startTime /
/// endTime / limit semantics; the bar containing the server's now is served too, as the open one.</summary>
internal sealed class KlineStub
{
    private readonly StubBinance _stub;
    private readonly long _intervalMs;

    public KlineStub(StubBinance stub, CandleInterval interval)
    {
        _stub = stub;
        _intervalMs = interval.Milliseconds;
        stub.On("GET /fapi/v1/klines", r => FailNext > 0 && FailNext-- > 0
            ? StubBinance.Json("{\"code\":-1000,\"msg\":\"unknown\"}", System.Net.HttpStatusCode.InternalServerError)
            : StubBinance.Json(Serve(r)));
    }

    /// <summary>Answer the next N requests with a 500.</summary>
    public int FailNext { get; set; }

    public List<int> Limits { get; } = [];

    /// <summary>Open times served as an impossible candle (high below low), with how many more times to do so.</summary>
    public Dictionary<long, int> Impossible { get; } = [];

    public static Candle CandleAt(long open) =>
        new(open, 100 + open / 60_000 % 50, 101 + open / 60_000 % 50, 99 + open / 60_000 % 50, 100.5 + open / 60_000 % 50, 10 + open / 60_000 % 7);

    private string Serve(StubBinance.Recorded r)
    {
        var now = _stub.ServerNow;
        var current = now / _intervalMs * _intervalMs;
        var limit = r.Param("limit") is { } l ? int.Parse(l, CultureInfo.InvariantCulture) : 500;
        Limits.Add(limit);
        limit = Math.Min(limit, 1500);
        long? start = r.Param("startTime") is { } s ? long.Parse(s, CultureInfo.InvariantCulture) : null;
        long? end = r.Param("endTime") is { } e ? long.Parse(e, CultureInfo.InvariantCulture) : null;
        var last = Math.Min(current, end is { } en ? en / _intervalMs * _intervalMs : current);
        long first;
        if (start is { } st)
        {
            first = (st + _intervalMs - 1) / _intervalMs * _intervalMs;
            last = Math.Min(last, first + (limit - 1) * _intervalMs);
        }
        else first = last - (limit - 1) * _intervalMs;
        var sb = new StringBuilder("[");
        for (var t = first; t <= last; t += _intervalMs)
        {
            var c = CandleAt(t);
            if (Impossible.TryGetValue(t, out var times) && times > 0)
            {
                Impossible[t] = times - 1;
                c = c with { High = c.Low - 1 };
            }
            if (sb.Length > 1) sb.Append(',');
            sb.Append(CultureInfo.InvariantCulture, $"[{t},\"{c.Open}\",\"{c.High}\",\"{c.Low}\",\"{c.Close}\",\"{c.Volume}\",{t + _intervalMs - 1},\"0\",1,\"0\",\"0\",\"0\"]");
        }
        return sb.Append(']').ToString();
    }
}
