using Afml.Core.Agent;
using Afml.Core.Configuration;
using Afml.Core.Exchange;
using Afml.Core.Features;
using Afml.Core.MarketData;
using Afml.Core.Portfolio;
using Afml.Core.Recording;
using Afml.Core.Risk;
using Afml.Core.Venues;

namespace Afml.Core.Session;

/// <summary>
/// Builds a session's parts from <see cref="SessionOptions"/>: the training folder and its files, consistency
/// checks between config, scaler and model, and the venue (<see cref="VenueBuilder"/>). Every problem found here is an
/// <see cref="AfmlException"/> raised before anything is written.
/// </summary>
public sealed class SessionFactory(TimeProvider time)
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
            if (Parts.Marks is { } marks) await marks.DisposeAsync().ConfigureAwait(false);
            Lock?.Dispose(); // last: the account stays locked until the venue is closed
        }

        /// <summary>The account+symbol lock of a Binance session (null for replay and paper).</summary>
        public SessionLock? Lock { get; init; }
    }

    /// <summary>Where the one-session-per-account locks live; default <see cref="SessionLock.DefaultDirectory"/>.</summary>
    public string? LockDirectory { get; init; }

    /// <param name="log">Where the venue's own messages go (reconnects, backfills), e.g. the session's event channel.</param>
    public Built Create(SessionOptions options, Action<string>? log = null)
    {
        SessionOptionsValidator.Validate(options);
        var warnings = new List<string>();
        // A HALTED training is refused before anything is loaded or written (TrainingHalted, when and why)
        new TrainingHaltLatch(TrainingFolder.Open(options.TrainingRoot, options.TrainId).ProductionDir).ThrowIfHalted(options.TrainId);
        var training = TrainingLoader.Load(options.TrainingRoot, options.TrainId);
        warnings.AddRange(training.Config.Warnings);
        if (training.Actor?.Warning is { } actorWarning) warnings.Add(actorWarning);
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
        var venue = new VenueBuilder(time) { LockDirectory = LockDirectory }.Build(options, training, capital, warnings, log);
        RegistroWriter? registro = null;
        EmergencyWriter? emergencies = null;
        try
        {
            var book = new TrainingPortfolio(new PortfolioSettings(capital, config.Portfolio.Leverage, config.Portfolio.Commission, config.Portfolio.Slippage));

            var startedLocal = time.GetLocalNow();
            // Real money: each row reaches the disk (fsync) before the next order can go out. An offline replay (run
            // again at will, ~100,000 rows a second) writes its rows in large chunks, and its status without a flush.
            var offline = options.Venue == VenueKind.Replay;
            registro = RegistroWriter.Create(training.Folder.ProductionDir, startedLocal,
                venue.Behaviour.HoldsRealPositions ? CsvFlush.EachRowToDisk : offline ? CsvFlush.Buffered : CsvFlush.EachRow);
            emergencies = new EmergencyWriter(training.Folder.ProductionDir, startedLocal);
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
                venue.Behaviour,
                registro,
                emergencies,
                // The status names the venue kind and endpoint (Invoke-AfmlEmergency on a dead session needs them).
                new SessionStatusFile(Path.Combine(training.Folder.ProductionDir, $"sesion_{stamp}.status.json"), time) { VenueKind = options.Venue, Endpoint = venue.Endpoint, FlushToDisk = !offline },
                options.MaxSteps,
                options.MaxSteps is { } m ? Math.Min(m, venue.ExpectedSteps ?? m) : venue.ExpectedSteps,
                OrderTag(stamp)) { Marks = venue.Marks };
            return new Built(parts, warnings, training) { Lock = venue.Lock };
        }
        catch
        {
            // Nothing built may outlive a failed build: files closed, sockets and the feed disposed.
            registro?.Dispose();
            emergencies?.Dispose();
            venue.Feed.DisposeAsync().AsTask().GetAwaiter().GetResult();
            venue.Exchange.DisposeAsync().AsTask().GetAwaiter().GetResult();
            venue.Marks?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            venue.Lock?.Dispose();
            throw;
        }
    }

    /// <summary>The session stamp plus 4 random hex digits: fixed for the session (every retry reuses its ids),
    /// different for any other session, even one of the same training started in the same second.</summary>
    private static string OrderTag(string stamp) =>
        $"{stamp}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2))}";
}
