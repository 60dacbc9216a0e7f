namespace Afml.FakeBinance;

public enum FaultKind
{
    /// <summary>Process the request (the order is accepted and filled), then hold the response for
    /// <see cref="Fault.Delay"/> or until the client gives up.</summary>
    TimeoutAfterAccept,
    /// <summary>Process the request, then abort the TCP connection with no response.</summary>
    DropAfterAccept,
    /// <summary>Abort the connection without processing anything.</summary>
    DropBeforeAccept,
    /// <summary>Wait <see cref="Fault.Delay"/>, then process normally (latency).</summary>
    Latency,
    /// <summary>Answer <see cref="Fault.Status"/> with {code, msg} (or an HTML body when Code is null); the request is
    /// processed first when <see cref="Fault.Execute"/> is true.</summary>
    ErrorResponse,
    /// <summary>429 with Retry-After and -1003; any request before Retry-After has passed gets 418 (ban).</summary>
    RateLimited,
    /// <summary>GET /fapi/v1/order answers -2013 even though the order exists (Binance lagging behind itself).</summary>
    TransientNotFound,
    /// <summary>A MARKET order fills only <see cref="Fault.FillRatio"/> of its quantity and ends EXPIRED (reason 9).</summary>
    PartialFill,
    /// <summary>Kline stream: abort every market connection after the first in-progress update of the next candle.</summary>
    StreamDropMidCandle,
    /// <summary>Kline stream: hold the final (x=true) event of the next candle for <see cref="Fault.Delay"/>.</summary>
    StreamLateFinal,
    /// <summary>Kline or user stream: send the next events twice.</summary>
    StreamDuplicate,
    /// <summary>Kline stream: resend a stale x=false update after the final; user stream: send the next order's
    /// events in reverse order.</summary>
    StreamOutOfOrder,
    /// <summary>418 "IP banned until &lt;ms&gt;" for <see cref="Fault.Delay"/> on the server clock: this call and every
    /// call until then (each one counted in <see cref="FakeBinanceServer.RequestsDuringBan"/>). Retry-After is sent only
    /// when <see cref="Fault.Execute"/> is true; by default the body alone says when the ban ends.</summary>
    Banned,
    /// <summary>Mark-price stream (<see cref="FaultEndpoints.MarkPriceStream"/>): the next mark update is not sent (the
    /// connection stays up and quiet, as a stalled stream looks); times = how many updates are swallowed.</summary>
    StreamSilent,
    /// <summary>Mark-price stream: at the next mark update, every connection carrying a mark-price stream is aborted
    /// (no close handshake) instead.</summary>
    StreamDrop,
}
