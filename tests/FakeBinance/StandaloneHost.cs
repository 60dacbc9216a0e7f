using System.Globalization;
using System.Security.Cryptography;
using Afml.Core;
using Afml.Core.MarketData;

namespace Afml.FakeBinance;

/// <summary>The command line: start the fake on a port with a candle file, print the URLs and a generated test
/// key pair, stream candles at --speed until Ctrl+C.</summary>
internal static class StandaloneHost
{
    private const string Usage = "usage: Afml.FakeBinance --candles <file.csv> [--port 18080] [--speed 60] [--interval 1h] [--symbol BTCUSDT] [--history 1000] [--balance 10000]";

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
        IReadOnlyList<Candle> candles;
        try { candles = CandleCsvReader.Read(candlesPath); }
        catch (AfmlException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 1;
        }
        var interval = CandleInterval.Parse(options.GetValueOrDefault("interval", "1h"));
        var speed = double.Parse(options.GetValueOrDefault("speed", "60"), CultureInfo.InvariantCulture);
        var history = int.Parse(options.GetValueOrDefault("history", "1000"), CultureInfo.InvariantCulture);
        // A fresh random pair every run: never a real key, nothing to leak.
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var symbol = options.GetValueOrDefault("symbol", "BTCUSDT");
        var fakeOptions = new FakeBinanceOptions
        {
            Candles = candles,
            ClosedCandlesAtStart = Math.Min(history, candles.Count - 1),
            Interval = interval,
            Symbol = FakeSymbolRules.BtcUsdt with { Symbol = symbol, BaseAsset = symbol.EndsWith("USDT", StringComparison.Ordinal) ? symbol[..^4] : symbol },
            Port = int.Parse(options.GetValueOrDefault("port", "18080"), CultureInfo.InvariantCulture),
            ApiKey = key,
            ApiSecret = secret,
            InitialBalance = decimal.Parse(options.GetValueOrDefault("balance", "10000"), CultureInfo.InvariantCulture),
            PingInterval = TimeSpan.FromSeconds(30),
            PongTimeout = TimeSpan.FromSeconds(60),
        };

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        await using var fake = await FakeBinanceServer.StartAsync(fakeOptions, stop.Token);
        await output.WriteLineAsync($"Fake Binance USDT-M Futures ({symbol} {interval.Text}, {candles.Count} candles, {fakeOptions.ClosedCandlesAtStart} closed, speed {speed.ToString(CultureInfo.InvariantCulture)}x)");
        await output.WriteLineAsync($"  REST            {fake.RestBaseUrl}");
        await output.WriteLineAsync($"  market streams  {fake.MarketStreamBaseUrl}   (e.g. {fake.MarketStreamBaseUrl}/ws/{fake.KlineStreamName})");
        await output.WriteLineAsync($"  user streams    {fake.PrivateStreamBaseUrl}  (/ws/<listenKey>)");
        await output.WriteLineAsync($"  API key         {key}");
        await output.WriteLineAsync($"  API secret      {secret}");
        await output.WriteLineAsync("  (test credentials generated for this run; Ctrl+C stops)");
        try
        {
            await fake.RunAutomaticAsync(speed, stop.Token);
            await output.WriteLineAsync("All candles published; still serving until Ctrl+C.");
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C.
        }
        return 0;
    }
}
