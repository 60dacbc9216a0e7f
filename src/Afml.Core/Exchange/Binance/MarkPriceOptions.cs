namespace Afml.Core.Exchange.Binance;

/// <summary>How the mark-price source listens. Each instance starts from these defaults.</summary>
public sealed record MarkPriceOptions
{
    /// <summary>The monitor's period: 1 s or less listens to <c>&lt;symbol&gt;@markPrice@1s</c>, longer to the 3 s
    /// <c>&lt;symbol&gt;@markPrice</c>; also how often premiumIndex is polled while the stream is silent.</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The stream silent for longer than this: premiumIndex is polled every <see cref="Period"/> until a
    /// stream mark arrives again.</summary>
    public TimeSpan SilenceTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A connection silent this long is dropped and opened again (the polling covers the gap).</summary>
    public TimeSpan ReconnectAfterSilence { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Reconnect back-off: starts here, doubles per failed attempt, up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The stream name for <paramref name="symbol"/> at <see cref="Period"/>.</summary>
    public string StreamName(string symbol) => symbol.ToLowerInvariant() + (Period <= TimeSpan.FromSeconds(1) ? "@markPrice@1s" : "@markPrice");
}
