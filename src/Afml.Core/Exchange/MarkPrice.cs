namespace Afml.Core.Exchange;

/// <summary>A mark price of <paramref name="Symbol"/> at <paramref name="Time"/> (the venue's event time).</summary>
/// <param name="SweptFrom">Set when the price is known to have moved continuously from this price to
/// <paramref name="Price"/> (a replayed candle: from its open to its high or low), so every price in between was
/// traded; null for a sample (a live mark: what happened between two marks is unknown).</param>
public sealed record MarkPrice(string Symbol, double Price, DateTimeOffset Time, double? SweptFrom = null);

/// <summary>Where the monitor between candles gets its marks: Binance's mark-price stream (REST as fallback) on a
/// live venue, each replayed candle's high and low with <c>-GuardIntraCandle</c>.</summary>
public interface IMarkPriceSource : IAsyncDisposable
{
    /// <summary>Hands every mark to <paramref name="onMark"/> (possibly from several threads, never concurrently for
    /// one source's own loop) until <paramref name="ct"/> is cancelled; reconnects and falls back by itself and
    /// returns only when cancelled.</summary>
    Task RunAsync(Action<MarkPrice> onMark, CancellationToken ct);
}
