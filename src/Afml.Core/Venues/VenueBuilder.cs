using Afml.Core.Agent;
using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;
using Afml.Core.Features;
using Afml.Core.MarketData;
using Afml.Core.MarketData.Binance;
using Afml.Core.Recording;
using Afml.Core.Session;

namespace Afml.Core.Venues;

/// <summary>A venue as a session uses it: where candles come from, where orders go, and how it behaves in the loop.</summary>
/// <param name="ExpectedSteps">Decisions the feed will give, when known (replay).</param>
public sealed record BuiltVenue(IMarketFeed Feed, IExchange Exchange, SessionVenue Behaviour, int? ExpectedSteps)
{
    /// <summary>The venue's REST base, written into the status (null for replay).</summary>
    public string? Endpoint { get; init; }
    /// <summary>The account+symbol lock (Binance venues): one session per account and symbol.</summary>
    public SessionLock? Lock { get; init; }
}

/// <summary>Builds the venue <see cref="SessionOptions.Venue"/> names: replay (a candle file, simulated fills), paper
/// (live market data, simulated fills), testnet and live (Binance).</summary>
/// <param name="gates">binance: the process's per-host rate gates; null gives each venue its own.</param>
public sealed class VenueBuilder(TimeProvider time, BinanceRateGates? gates = null)
{
    /// <summary>Where the one-session-per-account locks live; default <see cref="SessionLock.DefaultDirectory"/>.</summary>
    public string? LockDirectory { get; init; }

    public BuiltVenue Build(SessionOptions options, LoadedTraining training, double capital, List<string> warnings, Action<string>? log) => options.Venue switch
    {
        VenueKind.Replay => CreateReplay(options, training, capital, warnings),
        VenueKind.Paper => CreatePaper(options, training, capital, log),
        _ => CreateBinance(options, training, log),
    };

    /// <summary>Live market data, simulated fills at the float32 closes: the training env on live data, so a paper
    /// session decides exactly as a replay of the same candles would. Klines are public: no credentials.</summary>
    private BuiltVenue CreatePaper(SessionOptions options, LoadedTraining training, double capital, Action<string>? log)
    {
        var environment = options.Endpoint is { } e ? BinanceEnvironment.Local(e, "binance-data") : BinanceEnvironment.Production;
        var config = training.Config;
        var exchange = new SimulatedExchange(capital, config.Portfolio.Commission, config.Portfolio.Slippage, name: "paper");
        return new BuiltVenue(NewFeed(environment, options, training, log, gates?.For(environment, options.ClientOptions)), exchange, new SimulatedVenue(exchange), options.MaxSteps) { Endpoint = environment.Rest.ToString() };
    }

    /// <summary>Binance testnet (default) or production: real orders, the book following the venue's fills.</summary>
    private BuiltVenue CreateBinance(SessionOptions options, LoadedTraining training, Action<string>? log)
    {
        var live = options.Venue == VenueKind.Live;
        if (live && !options.LiveConfirmed)
            throw new AfmlException("LiveNotConfirmed", AfmlErrorCategory.SecurityError,
                "A live session moves real money and needs the operator's confirmation (Start-AfmlSession -Live asks for it; -Force gives it in scripts).", "Live");
        var environment = options.Endpoint is { } e
            ? BinanceEnvironment.Local(e, live ? "binance-live" : "binance-testnet", isLive: live)
            : live ? BinanceEnvironment.Production : BinanceEnvironment.Testnet;
        var credentials = options.Credentials ?? BinanceCredentials.FromEnvironment(testnet: !live);
        // One session per account and symbol: refused with SessionConflict before anything is sent or written.
        var accountLock = SessionLock.Acquire($"{environment.Name}|{environment.Rest}", SessionLock.AccountHash(credentials.ApiKey), training.Config.Market.Symbol,
            new SessionLockHolder(CsvFormat.FileStamp(time.GetLocalNow()), training.Config.TrainId, Environment.ProcessId, time.GetUtcNow(), null), LockDirectory);
        try
        {
            var exchange = new BinanceExchange(environment, credentials, time, options.ClientOptions, rateGate: gates?.For(environment, options.ClientOptions), log: log);
            return new BuiltVenue(NewFeed(environment, options, training, log, exchange.Rest.RateGate), exchange,
                new BinanceVenue(live, training.Config.Portfolio.Commission, exchange, exchange.VenueEvents), options.MaxSteps) // the exchange marks the stream-kept equity
            {
                Endpoint = environment.Rest.ToString(),
                Lock = accountLock,
            };
        }
        catch
        {
            accountLock.Dispose();
            throw;
        }
    }

    /// <summary>History long enough that the recursive indicators have forgotten where it starts (see
    /// <see cref="IndicatorSettings.ConvergenceCandles"/>), then closed candles as they close.</summary>
    private BinanceMarketFeed NewFeed(BinanceEnvironment environment, SessionOptions options, LoadedTraining training, Action<string>? log, BinanceRateGate? rateGate = null)
    {
        var config = training.Config;
        var history = BinanceMarketFeed.RequiredHistory(training.NewFeaturePipeline().WarmupCandles, config.Environment.WindowSize)
            + config.Indicators.ConvergenceCandles();
        // A server at -Endpoint (the fake Binance, a replaying proxy) may run its own clock faster than ours, so
        // polling REST at each close by our clock could wait real hours: let its kline stream say when a candle
        // closed, at any interval, with REST still filling gaps.
        var feedOptions = options.Endpoint is null ? options.FeedOptions : (options.FeedOptions ?? new BinanceFeedOptions()) with { StreamBelow = TimeSpan.MaxValue };
        return new BinanceMarketFeed(environment, config.Market.Symbol, config.Market.Interval, history, time, feedOptions, log: log, rateGate: rateGate);
    }

    /// <summary>Offline: a candle file and the simulated account filling at the training env's float32 closes.</summary>
    private static BuiltVenue CreateReplay(SessionOptions options, LoadedTraining training, double capital, List<string> warnings)
    {
        if (string.IsNullOrWhiteSpace(options.ReplayPath))
            throw new AfmlException("ReplayPathMissing", AfmlErrorCategory.InvalidArgument, "A replay needs a candle file (-Replay <candles.csv>).", "Replay");
        // The file is read once here with every check (nothing kept), and again, as it plays, by the feed.
        var warmup = training.NewFeaturePipeline().WarmupCandles + training.Config.Environment.WindowSize - 1;
        var plan = ReplayCandleLoader.Plan(options.ReplayPath, training.Config.Market.Interval, warmup, training.Config.Environment.WindowSize, options.From, options.To, warnings);
        var config = training.Config;
        var exchange = new SimulatedExchange(capital, config.Portfolio.Commission, config.Portfolio.Slippage);
        return new BuiltVenue(new StreamingReplayFeed(plan), exchange, new SimulatedVenue(exchange), (int)Math.Min(plan.DecisionCount, int.MaxValue));
    }
}
