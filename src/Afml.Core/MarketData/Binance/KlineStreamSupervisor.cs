using System.Globalization;

namespace Afml.Core.MarketData.Binance;

/// <summary>
/// The kline stream's connection for <see cref="BinanceMarketFeed"/>: connects when due, backs off exponentially
/// after a failed connect or an ended stream (<see cref="BinanceFeedOptions.ReconnectInitialDelay"/> up to
/// <see cref="BinanceFeedOptions.ReconnectMaxDelay"/>), and replaces a connection that went silent for
/// <see cref="BinanceFeedOptions.NoDataTimeout"/> or reached <see cref="BinanceFeedOptions.MaxConnectionAge"/>.
/// Every wait goes through the <see cref="TimeProvider"/> and the token.
/// </summary>
internal sealed class KlineStreamSupervisor(IKlineStreamConnector connector, Uri streamUri, BinanceFeedOptions options, TimeProvider time, string name, Action<string> log)
{
    private IKlineStream? _stream;
    private int _failures;
    private DateTimeOffset _nextConnect = DateTimeOffset.MinValue;
    private DateTimeOffset _connectedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _lastData = DateTimeOffset.MinValue;

    /// <summary>Connections opened so far.</summary>
    public int Connections { get; private set; }

    /// <summary>No connection, and the back-off allows the next attempt.</summary>
    public bool ConnectDue(DateTimeOffset now) => _stream is null && now >= _nextConnect;

    /// <summary>Tries to connect; false (with the next attempt scheduled) when it failed.</summary>
    public async Task<bool> ConnectAsync(DateTimeOffset now, CancellationToken ct)
    {
        _stream = await TryConnectAsync(ct).ConfigureAwait(false);
        if (_stream is null)
        {
            _failures++;
            _nextConnect = now + BinanceMarketFeed.Backoff(options.ReconnectInitialDelay, options.ReconnectMaxDelay, _failures);
            log($"{name}: stream connect failed ({_failures}); next try in {(_nextConnect - now).TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s, REST covers meanwhile");
            return false;
        }
        _failures = 0;
        _connectedAt = _lastData = now;
        return true;
    }

    /// <summary>A connection silent too long, or too old, is closed (reconnected at once on the next turn).</summary>
    public async Task<bool> ReplaceIfStaleAsync(DateTimeOffset now)
    {
        if (_stream is null) return false;
        var silent = now - _lastData >= options.NoDataTimeout;
        if (!silent && now - _connectedAt < options.MaxConnectionAge) return false;
        log(silent
            ? $"{name}: no stream data for {options.NoDataTimeout.TotalSeconds:F0} s; reconnecting"
            : $"{name}: connection is {options.MaxConnectionAge.TotalHours:F0} h old; reconnecting before Binance's 24 h cut");
        await CloseAsync().ConfigureAwait(false);
        _nextConnect = now;
        return true;
    }

    /// <summary>The earlier of <paramref name="wake"/> and the next thing this connection must do (connect, or
    /// check for silence or age).</summary>
    public DateTimeOffset WakeBy(DateTimeOffset wake)
    {
        if (_stream is null) return _nextConnect < wake ? _nextConnect : wake;
        if (_lastData + options.NoDataTimeout < wake) wake = _lastData + options.NoDataTimeout;
        if (_connectedAt + options.MaxConnectionAge < wake) wake = _connectedAt + options.MaxConnectionAge;
        return wake;
    }

    /// <summary>The next event within <paramref name="wait"/>, or null (nothing came, no connection, or the stream
    /// ended: then a reconnect is scheduled with back-off).</summary>
    public async Task<KlineEvent?> ReceiveAsync(TimeSpan wait, CancellationToken ct)
    {
        if (_stream is null)
        {
            await Task.Delay(wait, time, ct).ConfigureAwait(false);
            return null;
        }
        using var timeout = new CancellationTokenSource(wait, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        KlineEvent? e;
        try
        {
            e = await _stream.ReceiveAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
        if (e is null)
        {
            log($"{name}: stream ended ({_stream.EndReason ?? "no reason"}); reconnecting");
            await CloseAsync().ConfigureAwait(false);
            _failures++;
            _nextConnect = time.GetUtcNow() + BinanceMarketFeed.Backoff(options.ReconnectInitialDelay, options.ReconnectMaxDelay, _failures);
            return null;
        }
        _lastData = time.GetUtcNow();
        _failures = 0;
        return e;
    }

    /// <summary>When the last event arrived.</summary>
    public DateTimeOffset LastData => _lastData;

    public async ValueTask CloseAsync()
    {
        if (_stream is null) return;
        var s = _stream;
        _stream = null;
        await s.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<IKlineStream?> TryConnectAsync(CancellationToken ct)
    {
        try
        {
            var s = await connector.ConnectAsync(streamUri, ct).ConfigureAwait(false);
            Connections++;
            if (Connections > 1) log($"{name}: stream reconnected ({Connections - 1}); backfilling over REST");
            return s;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is not OutOfMemoryException)
        {
            log($"{name}: {streamUri}: {ex.Message}");
            return null;
        }
    }
}
