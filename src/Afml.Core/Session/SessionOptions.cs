using Afml.Core.Venues;

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
    /// equity feature is relative to it, as in training. On Binance it is the capital allocated to the session
    /// inside the account (refused when the account's available balance cannot carry it).</summary>
    public double? InitialBalance { get; init; }

    /// <summary>How a Binance venue (paper's market data, testnet, live) is reached: endpoint, credentials, client and
    /// feed tuning, the process's rate gates. Read by the venue builder only; default: Binance's own addresses and
    /// the credentials from the environment.</summary>
    public BinanceConnection? Binance { get; init; }

    /// <summary>The operator confirmed that a <see cref="VenueKind.Live"/> session moves real money. Without it a live
    /// session is refused, whatever asked for it.</summary>
    public bool LiveConfirmed { get; init; }

    /// <summary>Replay: simulate the drawdown guard inside each candle on its high and low (a breach closes at the stop
    /// price plus slippage and runs the emergency protocol). Off: the training's close-only check, step for step.</summary>
    public bool GuardIntraCandle { get; init; }

    /// <summary>Paper, testnet, live: the period of the drawdown monitor between candles (1 s or less: the
    /// <c>@markPrice@1s</c> stream; longer: the 3 s one; also premiumIndex's polling period); default 1 s.</summary>
    public TimeSpan? MonitorPeriod { get; init; }
}
