namespace Afml.Core.Session;

/// <summary>Where orders go.</summary>
public enum VenueKind
{
    /// <summary>Recorded candles from a file, simulated fills: offline, no credentials.</summary>
    Replay,
    /// <summary>Live market data, simulated fills.</summary>
    Paper,
    /// <summary>Binance Futures testnet (demo): real protocol, no real money.</summary>
    Testnet,
    /// <summary>Binance Futures: real money.</summary>
    Live,
}

/// <summary>What <c>Start-AfmlSession</c> asks for.</summary>
public sealed record SessionOptions
{
    public required string TrainId { get; init; }
    /// <summary>The folder that holds the trainings; default <c>./entrenamientos</c>.</summary>
    public string TrainingRoot { get; init; } = "entrenamientos";
    public VenueKind Venue { get; init; } = VenueKind.Replay;
    /// <summary>Candle CSV for <see cref="VenueKind.Replay"/>.</summary>
    public string? ReplayPath { get; init; }
    /// <summary>Open time of the first decision candle (replay); default: the first at which every feature and the
    /// whole observation window are defined.</summary>
    public DateTimeOffset? From { get; init; }
    /// <summary>Open time of the last decision candle (replay), inclusive.</summary>
    public DateTimeOffset? To { get; init; }
    public int? MaxSteps { get; init; }
    /// <summary>Capital the session's book starts with; default <c>portafolio.capital_inicial</c>. The model's
    /// equity feature is relative to it, as in training.</summary>
    public double? InitialBalance { get; init; }
}
