using System.Globalization;
using System.Security.Cryptography;
using Afml.Core;
using Afml.Core.MarketData;

namespace Afml.FakeBinance;

/// <summary>The command line: start the fake on a port with a candle file, print the URLs and a generated test
/// key pair, stream candles at --speed until Ctrl+C. The server's clock is a <see cref="VirtualClock"/> inside
/// the candle being streamed, so a client sees historical candles close at historical times, <c>speed</c>×
/// faster than real time.</summary>
internal static class StandaloneHost
{
    private const string Usage = "usage: Afml.FakeBinance --candles <file.csv> [--port 18080] [--speed 60] [--interval 1h] [--symbol BTCUSDT] [--history 1000] [--start yyyy-MM-dd] [--balance 10000] [--timestamps relaxed|strict] [--updates 3] [--taker 0.0005] [--stop-slippage 0] [--commands stdin]   (stdin commands: 'bend <change> <candles>', e.g. 'bend -0.15 40')";

    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken ct)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                await Console.Error.WriteLineAsync(Usage);
                return 2;
            }
            options[args[i][2..]] = args[++i];
        }
        if (!options.TryGetValue("candles", out var candlesPath))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }
        var interval = CandleInterval.Parse(options.GetValueOrDefault("interval", "1h"));
        IReadOnlyList<Candle> candles;
        int filled;
        try
        {
            // Gaps filled as the trainer does, so the stream is contiguous like Binance's.
            candles = ContinuityFiller.Fill(CandleCsvReader.Read(candlesPath), interval, out filled);
        }
        catch (AfmlException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 1;
        }
        if (candles.Count < 2)
        {
            await Console.Error.WriteLineAsync($"'{candlesPath}' needs at least two candles.");
            return 1;
        }
        var speed = double.Parse(options.GetValueOrDefault("speed", "60"), CultureInfo.InvariantCulture);
        var history = int.Parse(options.GetValueOrDefault("history", "1000"), CultureInfo.InvariantCulture);
        if (!(speed > 0) || history < 1)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }
        // The first candle streamed: --start, or the one after --history closed candles.
        var first = Math.Min(history, candles.Count - 1);
        if (options.TryGetValue("start", out var startText))
        {
            if (!DateTimeOffset.TryParseExact(startText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start))
            {
                await Console.Error.WriteLineAsync($"--start '{startText}' is not a yyyy-MM-dd date.");
                return 2;
            }
            var startMs = start.ToUnixTimeMilliseconds();
            first = Enumerable.Range(0, candles.Count).FirstOrDefault(i => candles[i].OpenTime >= startMs, -1);
            if (first < 0)
            {
                await Console.Error.WriteLineAsync($"--start {startText} is after the last candle ({candles[^1].OpenTimeUtc:O}).");
                return 1;
            }
            first = Math.Max(first, 1);
        }
        var closed = Math.Min(history, first);
        candles = candles.Skip(first - closed).ToArray();
        var strict = options.GetValueOrDefault("timestamps", speed > 1 ? "relaxed" : "strict") switch
        {
            "strict" => true,
            "relaxed" => false,
            _ => (bool?)null,
        };
        if (strict is null)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        // A fresh random pair every run: never a real key, nothing to leak.
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var symbol = options.GetValueOrDefault("symbol", "BTCUSDT");
        var clock = new VirtualClock(candles[closed].OpenTime, interval.Milliseconds, speed);
        var fakeOptions = new FakeBinanceOptions
        {
            Candles = candles,
            ClosedCandlesAtStart = closed,
            Interval = interval,
            Symbol = FakeSymbolRules.BtcUsdt with { Symbol = symbol, BaseAsset = symbol.EndsWith("USDT", StringComparison.Ordinal) ? symbol[..^4] : symbol },
            Port = int.Parse(options.GetValueOrDefault("port", "18080"), CultureInfo.InvariantCulture),
            ApiKey = key,
            ApiSecret = secret,
            Clock = clock,
            CheckTimestamps = strict.Value,
            InitialBalance = decimal.Parse(options.GetValueOrDefault("balance", "10000"), CultureInfo.InvariantCulture),
            PingInterval = TimeSpan.FromSeconds(30),
            PongTimeout = TimeSpan.FromSeconds(60),
            UpdatesPerCandle = int.Parse(options.GetValueOrDefault("updates", "3"), CultureInfo.InvariantCulture),
            TakerCommissionRate = decimal.Parse(options.GetValueOrDefault("taker", "0.0005"), CultureInfo.InvariantCulture),
            StopSlippage = decimal.Parse(options.GetValueOrDefault("stop-slippage", "0"), CultureInfo.InvariantCulture),
        };

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        // SIGTERM (kill, timeout, a test's cleanup) stops as Ctrl+C does; the web host alone would swallow it.
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        await using var fake = await FakeBinanceServer.StartAsync(fakeOptions, stop.Token);
        var inv = CultureInfo.InvariantCulture;
        await output.WriteLineAsync($"Fake Binance USDT-M Futures ({symbol} {interval.Text}, {candles.Count} candles, {closed} closed, speed {speed.ToString(inv)}x)");
        await output.WriteLineAsync($"  REST            {fake.RestBaseUrl}");
        await output.WriteLineAsync($"  market streams  {fake.MarketStreamBaseUrl}   (e.g. {fake.MarketStreamBaseUrl}/ws/{fake.KlineStreamName})");
        await output.WriteLineAsync($"  user streams    {fake.PrivateStreamBaseUrl}  (/ws/<listenKey>)");
        await output.WriteLineAsync($"  port            {fake.Port.ToString(inv)}");
        await output.WriteLineAsync($"  server clock    {fake.ServerTime.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", inv)}Z (virtual, {speed.ToString(inv)}x; first candle streamed {candles[closed].OpenTimeUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm", inv)}Z{(filled > 0 ? $"; {filled.ToString(inv)} missing candle(s) interpolated" : "")})");
        await output.WriteLineAsync($"  timestamps      {(strict.Value ? "strict (recvWindow checked)" : "relaxed: signed requests' timestamp/recvWindow not checked, the virtual clock runs faster than the client's")}");
        await output.WriteLineAsync($"  API key         {key}");
        await output.WriteLineAsync($"  API secret      {secret}");
        await output.WriteLineAsync("  (test credentials generated for this run; Ctrl+C stops)");
        await output.WriteLineAsync($"  try: Start-AfmlSession -TrainId <id> -Endpoint {fake.RestBaseUrl} -Credential ([pscredential]::new('{key}', (ConvertTo-SecureString '{secret}' -AsPlainText -Force)))");
        // Only when asked (a test driving the market through a pipe): never reads a stdin it shares with its parent.
        if (options.GetValueOrDefault("commands") == "stdin") _ = Task.Run(() => ReadCommandsAsync(fake, output, stop.Token), CancellationToken.None);
        try
        {
            var spacing = TimeSpan.FromMilliseconds(interval.Milliseconds / speed / (fakeOptions.UpdatesPerCandle + 1));
            while (fake.HasMoreCandles)
            {
                clock.EnterCandle(candles[fake.LastClosedCandleIndex + 1].OpenTime);
                if (!await fake.PublishNextCandleAsync(new CandlePublishOptions { Spacing = spacing }, stop.Token)) break;
            }
            await output.WriteLineAsync("All candles published; still serving until Ctrl+C.");
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C.
        }
        return 0;
    }

    /// <summary>Commands on stdin, one a line, for a test driving the market: <c>bend &lt;change&gt; &lt;candles&gt;</c>. Ends with stdin.</summary>
    private static async Task ReadCommandsAsync(FakeBinanceServer fake, TextWriter output, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested && await Console.In.ReadLineAsync(ct) is { } line)
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (words is ["bend", var change, var candles]
                    && double.TryParse(change, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && int.TryParse(candles, CultureInfo.InvariantCulture, out var n) && n >= 1)
                {
                    fake.BendPath(c, n);
                    await output.WriteLineAsync($"bent the path ahead by {c.ToString(CultureInfo.InvariantCulture)} over {n.ToString(CultureInfo.InvariantCulture)} candles");
                }
                else if (words.Length > 0) await Console.Error.WriteLineAsync($"unknown command '{line}' (bend <change> <candles>)");
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }
}
