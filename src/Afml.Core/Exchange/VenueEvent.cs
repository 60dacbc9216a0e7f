namespace Afml.Core.Exchange;

/// <summary>What happened on the account that the session did not do itself.</summary>
public enum VenueEventKind
{
    /// <summary>A fill of an order this session did not send (placed by hand, or by another program).</summary>
    ManualTrade,
    /// <summary>A forced close by the venue's liquidation engine.</summary>
    Liquidation,
    /// <summary>An auto-deleveraging close.</summary>
    AutoDeleverage,
    /// <summary>Not a fill: the monitor between candles saw the drawdown limit crossed on the mark price (the session
    /// runs the emergency protocol at once). <see cref="VenueEvent.Price"/> is the price to close at.</summary>
    DrawdownBreach,
    /// <summary>The session's exchange-resident protective stop triggered and closed the position.</summary>
    ProtectiveStop,
}

/// <summary>A fill on the venue not made by this session, as the user-data stream reported it (a registro row with its
/// reason is the session's to write).</summary>
/// <param name="Quantity">Base quantity of this fill.</param>
/// <param name="PositionAfter">The symbol's signed position after the event, when the venue has said so.</param>
public sealed record VenueEvent(
    DateTimeOffset Time,
    VenueEventKind Kind,
    string Symbol,
    OrderSide Side,
    double Quantity,
    double Price,
    string ClientOrderId,
    long OrderId,
    double RealizedPnl,
    string? CommissionAsset,
    double? Commission,
    double? PositionAfter)
{
    /// <summary>What the event says in words beyond its kind (a drawdown breach: the rule's reason and the mark).</summary>
    public string? Detail { get; init; }

    /// <summary>The reason of a protective stop's trigger, in the registro and in emergencias.</summary>
    public const string ProtectiveStopReason = "stop_proteccion";

    /// <summary>Registro reason text: manual, liquidacion, adl, stop_proteccion, max_drawdown_entre_velas.</summary>
    public string Reason => Kind switch
    {
        VenueEventKind.DrawdownBreach => "max_drawdown_entre_velas",
        VenueEventKind.Liquidation => "liquidacion",
        VenueEventKind.AutoDeleverage => "adl",
        VenueEventKind.ProtectiveStop => ProtectiveStopReason,
        _ => "operacion_manual",
    };
}
