using System.Net.WebSockets;
using System.Threading.Channels;
using Afml.Core.MarketData;
using Afml.Core.MarketData.Binance;

namespace Afml.Tests.MarketData.Binance;

/// <summary>Connections handed out in order; with none left, connecting fails like a refused socket.</summary>
internal sealed class ScriptedConnector : IKlineStreamConnector
{
    public Queue<ScriptedStream> Streams { get; } = new();
    public List<Uri> Uris { get; } = [];
    public int Attempts { get; private set; }

    public ScriptedStream Add()
    {
        var s = new ScriptedStream();
        Streams.Enqueue(s);
        return s;
    }

    public Task<IKlineStream> ConnectAsync(Uri uri, CancellationToken ct)
    {
        Attempts++;
        Uris.Add(uri);
        return Streams.TryDequeue(out var s) ? Task.FromResult<IKlineStream>(s) : Task.FromException<IKlineStream>(new WebSocketException("connection refused"));
    }
}

internal sealed class ScriptedStream : IKlineStream
{
    private readonly Channel<KlineEvent> _events = Channel.CreateUnbounded<KlineEvent>();

    public bool Disposed { get; private set; }
    public string? EndReason => "scripted end";

    public ScriptedStream Final(long open, double close = 0) => Push(open, close, true);
    public ScriptedStream Forming(long open, double close = 0) => Push(open, close, false);

    public ScriptedStream Push(long open, double close, bool closed)
    {
        var c = KlineStub.CandleAt(open);
        if (close != 0) c = c with { Close = close, High = Math.Max(c.High, close), Low = Math.Min(c.Low, close) }; // a real candle holds its close
        return Raw(c, closed);
    }

    /// <summary>Exactly this candle, sane or not.</summary>
    public ScriptedStream Raw(Candle c, bool closed = true)
    {
        _events.Writer.TryWrite(new KlineEvent(c, c.OpenTime + 59_999, closed));
        return this;
    }

    public ScriptedStream End()
    {
        _events.Writer.TryComplete();
        return this;
    }

    public async ValueTask<KlineEvent?> ReceiveAsync(CancellationToken ct)
    {
        try
        {
            if (await _events.Reader.WaitToReadAsync(ct) && _events.Reader.TryRead(out var e)) return e;
            return null;
        }
        catch (ChannelClosedException) { return null; }
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
