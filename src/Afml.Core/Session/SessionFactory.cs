using Afml.Core.Agent;
using Afml.Core.Configuration;
using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;
using Afml.Core.Features;
using Afml.Core.MarketData;
using Afml.Core.MarketData.Binance;
using Afml.Core.Portfolio;
using Afml.Core.Recording;

namespace Afml.Core.Session;

/// <summary>
/// Builds a session's parts from <see cref="SessionOptions"/>: the training folder and its files, consistency
/// checks between config, scaler and model, the candle source and the venue. Every problem found here is an
/// <see cref="AfmlException"/> raised before anything is written.
/// </summary>
/// <param name="gates">binance: the process's per-host rate gates (shared by every session it creates); null gives
/// each session its own.</param>
public sealed class SessionFactory(TimeProvider time, BinanceRateGates? gates = null)
{
    public sealed record Built(SessionParts Parts, IReadOnlyList<string> Warnings, LoadedTraining Training) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Parts.Registro.Dispose();
            Parts.Emergencies.Dispose();
            Training.Dispose();
            await Parts.Feed.DisposeAsync().ConfigureAwait(false);
            await Parts.Exchange.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <param name="log">Where the venue's own messages go (reconnects, backfills), e.g. the session's event channel.</param>
    public Built Create(SessionOptions options, Action<string>? log = null)
    {
        var warnings = new List<string>();
        var training = TrainingLoader.Load(options.TrainingRoot, options.TrainId);
        try
        {
            return Assemble(options, training, warnings, log);
        }
        catch
        {
            training.Dispose();
            throw;
        }
    }

    private Built Assemble(SessionOptions options, LoadedTraining training, List<string> warnings, Action<string>? log)
    {
        var config = training.Config;
        var capital = options.InitialBalance ?? config.Portfolio.InitialCapital;
        if (!(capital > 0) || !double.IsFinite(capital))
            throw new AfmlException("InitialBalanceInvalid", AfmlErrorCategory.InvalidArgument, $"Initial balance {capital} must be a positive number.", "InitialBalance");
        var venue = options.Venue switch
        {
            VenueKind.Replay => CreateReplay(options, training, capital, warnings),
            VenueKind.Paper => CreatePaper(options, training, capital, log),
            _ => CreateBinance(options, training, log),
        };
        var book = new TrainingPortfolio(new PortfolioSettings(capital, config.Portfolio.Leverage, config.Portfolio.Commission, config.Portfolio.Slippage));

        var startedLocal = time.GetLocalNow();
        var registro = RegistroWriter.Create(training.Folder.ProductionDir, startedLocal);
        var stamp = Path.GetFileNameWithoutExtension(registro.Path)["registro_".Length..];
        var parts = new SessionParts(
            stamp,
            config,
            training.Folder,
            training.NewFeaturePipeline(),
            new ObservationBuilder(training.Scaler, config.Environment.WindowSize),
            training.Policy,
            book,
            venue.Feed,
            venue.Exchange,
            registro,
            new EmergencyWriter(training.Folder.ProductionDir, startedLocal),
            new SessionStatusFile(Path.Combine(training.Folder.ProductionDir, $"sesion_{stamp}.status.json")),
            options.MaxSteps,
            options.MaxSteps is { } m ? Math.Min(m, venue.ExpectedSteps ?? m) : venue.ExpectedSteps,
            venue.TrainingPrices,
            venue.VenueBook,
            OrderTag(stamp));
        return new Built(parts, warnings, training);
    }

    /// <summary>The session stamp plus 4 random hex digits: fixed for the session (every retry reuses its ids),
    /// different for any other session, even one of the same training started in the same second.</summary>
    private static string OrderTag(string stamp) =>
        $"{stamp}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2))}";

    /// <summary>The venue-specific parts of a session: where candles come from, where orders go, and how the book
    /// treats fills (see <see cref="SessionParts"/>).</summary>
    private sealed record Venue(IMarketFeed Feed, IExchange Exchange, int? ExpectedSteps, bool TrainingPrices, bool VenueBook);

    /// <summary>Live market data, simulated fills at the float32 closes: the training env on live data, so a paper
    /// session decides exactly as a replay of the same candles would. Klines are public: no credentials.</summary>
    private Venue CreatePaper(SessionOptions options, LoadedTraining training, double capital, Action<string>? log)
    {
        var environment = options.Endpoint is { } e ? BinanceEnvironment.Local(e, "binance-data") : BinanceEnvironment.Production;
        var config = training.Config;
        return new Venue(NewFeed(environment, options, training, log, gates?.For(environment, options.ClientOptions)), // binance: shared gate
            new SimulatedExchange(capital, config.Portfolio.Commission, config.Portfolio.Slippage, name: "paper"),
            options.MaxSteps, TrainingPrices: true, VenueBook: false);
    }

    /// <summary>Binance testnet (default) or production: real orders, the book following the venue's fills.</summary>
    private Venue CreateBinance(SessionOptions options, LoadedTraining training, Action<string>? log)
    {
        var live = options.Venue == VenueKind.Live;
        if (live && !options.LiveConfirmed)
            throw new AfmlException("LiveNotConfirmed", AfmlErrorCategory.SecurityError,
                "A live session moves real money and needs the operator's confirmation (Start-AfmlSession -Live asks for it; -Force gives it in scripts).", "Live");
        var environment = options.Endpoint is { } e
            ? BinanceEnvironment.Local(e, live ? "binance-live" : "binance-testnet", isLive: live)
            : live ? BinanceEnvironment.Production : BinanceEnvironment.Testnet;
        var credentials = options.Credentials ?? BinanceCredentials.FromEnvironment(testnet: !live);
        var exchange = new BinanceExchange(environment, credentials, time, options.ClientOptions, rateGate: gates?.For(environment, options.ClientOptions), log: log); // binance
        return new Venue(NewFeed(environment, options, training, log, exchange.Rest.RateGate), exchange, options.MaxSteps, TrainingPrices: false, VenueBook: true);
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
    private static Venue CreateReplay(SessionOptions options, LoadedTraining training, double capital, List<string> warnings)
    {
        if (string.IsNullOrWhiteSpace(options.ReplayPath))
            throw new AfmlException("ReplayPathMissing", AfmlErrorCategory.InvalidArgument, "A replay needs a candle file (-Replay <candles.csv>).", "Replay");
        var raw = CandleCsvReader.Read(options.ReplayPath);
        var interval = training.Config.Market.Interval;
        var candles = ContinuityFiller.Fill(raw, interval, out var filled);
        if (filled > 0)
            warnings.Add($"{filled} vela(s) faltante(s) en '{options.ReplayPath}' rellenada(s) por interpolación lineal, como en el entrenamiento.");

        var warmup = training.NewFeaturePipeline().WarmupCandles + training.Config.Environment.WindowSize - 1;
        if (candles.Count <= warmup)
            throw new AfmlException("ReplayTooShort", AfmlErrorCategory.InvalidData,
                $"'{options.ReplayPath}' has {candles.Count} candles; the indicators and the {training.Config.Environment.WindowSize}-candle window need more than {warmup}.", options.ReplayPath);

        var first = warmup;
        if (options.From is { } from)
        {
            var ms = from.ToUnixTimeMilliseconds();
            var idx = IndexAtOrAfter(candles, ms);
            if (idx >= candles.Count)
                throw new AfmlException("ReplayFromOutOfRange", AfmlErrorCategory.InvalidArgument,
                    $"-From {from:O} is after the last candle ({candles[^1].OpenTimeUtc:O}) of '{options.ReplayPath}'.", "From");
            if (idx < warmup)
                warnings.Add($"-From {from:O} is before the first candle with every feature defined ({candles[warmup].OpenTimeUtc:O}); decisions start there.");
            first = Math.Max(idx, warmup);
        }
        var end = candles.Count;
        if (options.To is { } to)
        {
            end = IndexAtOrAfter(candles, to.ToUnixTimeMilliseconds() + 1);
            if (end <= first)
                throw new AfmlException("ReplayRangeEmpty", AfmlErrorCategory.InvalidArgument, $"-To {to:O} leaves no candle to decide on.", "To");
        }
        var config = training.Config;
        return new Venue(new ReplayFeed(candles, first, end), new SimulatedExchange(capital, config.Portfolio.Commission, config.Portfolio.Slippage),
            end - first, TrainingPrices: true, VenueBook: false);
    }

    private static int IndexAtOrAfter(IReadOnlyList<Candle> candles, long openTime)
    {
        int lo = 0, hi = candles.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (candles[mid].OpenTime < openTime) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
