using Afml.Core.Agent;
using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;
using Afml.Core.Features;
using Afml.Core.MarketData;
using Afml.Core.MarketData.Binance;
using Afml.Core.Recording;
using Afml.Core.Risk;
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
    /// <summary>Mark prices for the drawdown monitor between candles (null: close-only, as in training).</summary>
    public IMarkPriceSource? Marks { get; init; }
}

/// <summary>Builds the venue <see cref="SessionOptions.Venue"/> names: replay (a candle file, simulated fills), paper
/// (live market data, simulated fills), testnet and live (Binance).
/// The Binance ones are reached as <see cref="SessionOptions.Binance"/> says (endpoint, credentials, tuning, the
/// process's rate gates, which the feed and the exchange share: Binance's limits are per IP).</summary>
public sealed class VenueBuilder(TimeProvider time)
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
        var connection = options.Binance ?? new BinanceConnection();
        var environment = connection.Environment("binance-data", BinanceEnvironment.Production);
        var config = training.Config;
        var exchange = new SimulatedExchange(capital, config.Portfolio.Commission, config.Portfolio.Slippage, name: "paper");
        var gate = connection.Gates?.For(environment, connection.ClientOptions);
        return new BuiltVenue(NewFeed(environment, connection, training, log, gate), exchange, new SimulatedVenue(exchange), options.MaxSteps)
        {
            Endpoint = environment.Rest.ToString(),
            Marks = NewMarks(environment, options, training, log, gate), // the same monitor as live, on live marks
        };
    }

    /// <summary>Binance testnet (default) or production: real orders, the book following the venue's fills.</summary>
    private BuiltVenue CreateBinance(SessionOptions options, LoadedTraining training, Action<string>? log)
    {
        var live = options.Venue == VenueKind.Live;
        if (live && !options.LiveConfirmed)
            throw new AfmlException("LiveNotConfirmed", AfmlErrorCategory.SecurityError,
                "A live session moves real money and needs the operator's confirmation (Start-AfmlSession -Live asks for it; -Force gives it in scripts).", "Live");
        var connection = options.Binance ?? new BinanceConnection();
        var environment = connection.Environment(live ? "binance-live" : "binance-testnet", live ? BinanceEnvironment.Production : BinanceEnvironment.Testnet, isLive: live);
        var credentials = connection.Credentials ?? BinanceCredentials.FromEnvironment(testnet: !live);
        // One session per account and symbol: refused with SessionConflict before anything is sent or written.
        var account = SessionLock.AccountHash(credentials.ApiKey);
        var accountLock = SessionLock.Acquire($"{environment.Name}|{environment.Rest}", account, training.Config.Market.Symbol,
            new SessionLockHolder(CsvFormat.FileStamp(time.GetLocalNow()), training.Config.TrainId, Environment.ProcessId, time.GetUtcNow(), null), LockDirectory);
        try
        {
            var exchange = new BinanceExchange(environment, credentials, time, connection.ClientOptions, rateGate: connection.Gates?.For(environment, connection.ClientOptions), log: log);
            var config = training.Config;
            var guard = connection.ProtectiveStop
                ? new ProtectiveStopKeeper(exchange, new ProtectiveStopSettings(config.Environment.MaxDrawdown, config.Portfolio.Commission,
                    config.Portfolio.Slippage, training.Folder.ProductionDir, config.TrainId) { Account = account },
                    time, e => exchange.RaiseVenueEvent(e))
                : null;
            return new BuiltVenue(NewFeed(environment, connection, training, log, exchange.Rest.RateGate), exchange,
                new BinanceVenue(live, config.Portfolio.Commission, exchange, exchange.VenueEvents, guard), options.MaxSteps) // the exchange marks the stream-kept equity
            {
                Endpoint = environment.Rest.ToString(),
                Lock = accountLock,
                Marks = NewMarks(environment, options, training, log, exchange.Rest.RateGate),
            };
        }
        catch
        {
            accountLock.Dispose();
            throw;
        }
    }

    /// <summary>The symbol's mark price for the monitor between candles: the mark-price stream, premiumIndex as fallback.</summary>
    private BinanceMarkPriceSource NewMarks(BinanceEnvironment environment, SessionOptions options, LoadedTraining training, Action<string>? log, BinanceRateGate? rateGate)
    {
        var connection = options.Binance ?? new BinanceConnection();
        var marks = connection.MarkPrices ?? new MarkPriceOptions();
        if (options.MonitorPeriod is { } period) marks = marks with { Period = period };
        return new BinanceMarkPriceSource(environment, training.Config.Market.Symbol, time, marks, connection.ClientOptions, rateGate, log);
    }

    /// <summary>History long enough that the recursive indicators have forgotten where it starts (see
    /// <see cref="IndicatorSettings.ConvergenceCandles"/>), then closed candles as they close.</summary>
    private BinanceMarketFeed NewFeed(BinanceEnvironment environment, BinanceConnection connection, LoadedTraining training, Action<string>? log, BinanceRateGate? rateGate = null)
    {
        var config = training.Config;
        var history = BinanceMarketFeed.RequiredHistory(training.NewFeaturePipeline().WarmupCandles, config.Environment.WindowSize)
            + config.Indicators.ConvergenceCandles();
        // A server at -Endpoint (the fake Binance, a replaying proxy) may run its own clock faster than ours, so
        // polling REST at each close by our clock could wait real hours: let its kline stream say when a candle
        // closed, at any interval, with REST still filling gaps.
        var feedOptions = connection.Endpoint is null ? connection.FeedOptions : (connection.FeedOptions ?? new BinanceFeedOptions()) with { StreamBelow = TimeSpan.MaxValue };
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
        IMarketFeed feed = new StreamingReplayFeed(plan);
        // -GuardIntraCandle: the monitor sees each candle's range before its close; without it, no marks at all.
        var marks = options.GuardIntraCandle ? new CandleRangeMarks(feed, config.Market.Symbol, config.Market.Interval.Milliseconds) : null;
        return new BuiltVenue(marks ?? feed, exchange, new SimulatedVenue(exchange), (int)Math.Min(plan.DecisionCount, int.MaxValue)) { Marks = marks };
    }
}
