namespace Afml.Core.MarketData.Binance;

/// <summary>One live kline connection. Reading never disturbs the connection: a cancelled read just returns.</summary>
public interface IKlineStream : IAsyncDisposable
{
    /// <summary>The next kline event; null once the connection has ended (closed by the server, or failed).</summary>
    ValueTask<KlineEvent?> ReceiveAsync(CancellationToken ct);

    /// <summary>Why the connection ended, when it did.</summary>
    string? EndReason { get; }
}
