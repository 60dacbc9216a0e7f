using System.Globalization;
using Afml.Core.Exchange;
using Afml.Core.Exchange.Binance;
using Afml.Core.MarketData;
using Afml.Core.Portfolio;
using Afml.Core.Session;

namespace Afml.Core.Venues;

/// <summary>
/// Binance testnet and live (and any venue with real fills): the book books the venue's fill price and commission,
/// checks at start that the account carries the allocated capital and adopts a position it finds open, and after
/// every step brings the book to the venue's position (the venue is the truth).
/// </summary>
/// <param name="live">Real money (the credential hint names BINANCE_API_KEY/SECRET rather than the testnet's).</param>
/// <param name="commissionRate">The config's commission rate: what a fill is charged when the venue's commission
/// could not be read (with a warning), so the book never drifts by a silent 0.</param>
/// <param name="marks">binance: the exchange whose stream-kept equity is valued at each candle's price.</param>
/// <param name="events">binance: the user-data stream's manual trades, liquidations and ADL.</param>
/// <param name="guard">binance: the exchange-resident protective stop (issue 10, layer 2); null keeps none.</param>
public class BinanceVenue(bool live, double commissionRate, IPriceDriven? marks = null, System.Threading.Channels.ChannelReader<VenueEvent>? events = null,
    ProtectiveStopKeeper? guard = null) : SessionVenue
{
    public override ProtectiveStopView? ProtectiveStop => guard?.View;
    public override string? ProtectiveStopProblem => guard?.Problem;
    public override Task AfterDecisionAsync(VenueContext context, CancellationToken ct) => guard?.FollowAsync(context, ct) ?? Task.CompletedTask;
    public override Task<VenueEvent?> ProtectiveStopTriggeredAsync(VenueContext context, CancellationToken ct) =>
        guard?.TriggeredAsync(context, ct) ?? Task.FromResult<VenueEvent?>(null);
    public override Task<VenueEvent?> UnreportedStopTriggerAsync(VenueContext context, CancellationToken ct) =>
        guard?.UnreportedAsync(context, ct) ?? Task.FromResult<VenueEvent?>(null);
    public override async Task AfterEmergencyAsync(VenueContext context, bool flat, CancellationToken ct)
    {
        if (flat && guard is not null) await guard.CancelAsync(context, ct).ConfigureAwait(false);
    }

    public override System.Threading.Channels.ChannelReader<VenueEvent>? Events => events;
    public override void OnCandle(string symbol, double price) => marks?.OnPrice(symbol, price); // binance
    public override bool HoldsRealPositions => true;

    public override double PriceOf(in Candle candle) => candle.Close;

    public override FillCost CostOf(OrderFill fill, SessionLogger log)
    {
        if (fill.CommissionKnown) return FillCost.Venue(fill.Commission);
        var estimate = fill.AveragePrice * fill.ExecutedQuantity * commissionRate;
        log.Warning($"⚠️ Comisión de la orden {fill.ClientOrderId} no disponible en el venue: se registra la de la config ({commissionRate:P3} = {estimate:F6} USDT)");
        return FillCost.Venue(estimate);
    }

    /// <summary>The account must carry the allocated capital; a position found open (a restart, a manual trade) is
    /// adopted by the book before the first decision, whatever its PnL.</summary>
    public override async Task StartAsync(VenueContext context, IReadOnlyList<Candle> history, CancellationToken ct)
    {
        var exchange = context.Exchange;
        var account = await context.StateRetry.RunAsync(c => exchange.GetAccountAsync(c), ct).ConfigureAwait(false);
        if (!account.Success) throw StartFailure(account.Error!, exchange.Name, "AccountUnavailable", AfmlErrorCategory.ConnectionError, $"Reading the account failed: {account.Error}", exchange.Name);
        var position = await context.StateRetry.RunAsync(c => exchange.GetPositionAsync(context.Symbol, c), ct).ConfigureAwait(false);
        if (!position.Success) throw StartFailure(position.Error!, exchange.Name, "ReconciliationFailed", AfmlErrorCategory.InvalidOperation, $"Reading the {context.Symbol} position failed: {position.Error}", context.Symbol);

        // A stop this training left on the exchange that triggered while no session ran: HALTED, before anything else.
        if (guard is not null) await guard.StartAsync(context, ct).ConfigureAwait(false);
        var capital = context.Book.Settings.InitialCapital;
        var a = account.Data!;
        context.Log.Info($"💼 Cuenta {exchange.Name}: balance {a.WalletBalance:F2} USDT, disponible {a.AvailableBalance:F2} · capital asignado {capital:F2}");
        // Flat, the capital must fit in the available balance. Onto an open position (a restart), part of the
        // account is that position's margin and its PnL: the capital is counted against the wallet balance (the
        // margin is still ours, the loss is the position's and the adopted book carries it), so a restart adopts
        // the position whatever its PnL.
        var open = position.Data!.Quantity != 0;
        var carry = open ? a.WalletBalance : a.AvailableBalance;
        if (carry < capital)
            throw new AfmlException("CapitalNotAvailable", AfmlErrorCategory.InvalidArgument, string.Create(CultureInfo.InvariantCulture,
                $"The allocated capital {capital:F2} USDT exceeds the account's {(open ? $"wallet balance (an open {context.Symbol} position is adopted)" : "available balance")} {carry:F2} USDT on {exchange.Name}; pass a smaller -Capital."), "Capital");
        if (history.Count > 0) Reconcile(context, position.Data, history[^1].Close);
        if (guard is not null && history.Count > 0) await guard.SyncAsync(context, ct).ConfigureAwait(false); // an adopted position is guarded at once
    }

    public override async Task<ExchangeError?> AfterStepAsync(VenueContext context, double price, CancellationToken ct)
    {
        if (await ReconcileAsync(context, price, 0.0, ct).ConfigureAwait(false) is { } error) return error;
        if (guard is not null) await guard.SyncAsync(context, ct).ConfigureAwait(false); // after every fill: place, replace or cancel
        return null;
    }

    public override async Task<ExchangeError?> ReconcileAsync(VenueContext context, double price, double commission, CancellationToken ct)
    {
        var position = await context.StateRetry.RunAsync(c => context.Exchange.GetPositionAsync(context.Symbol, c), ct).ConfigureAwait(false);
        if (!position.Success) return position.Error;
        Reconcile(context, position.Data!, price, commission);
        return null;
    }

    /// <summary>The event's own commission when the venue said it in USDT (the user-data stream's fill); otherwise
    /// (the stream down when an exchange stop triggered, a fee in BNB) the config's rate on the fill's notional, as an
    /// own order's unknown commission is booked, with a warning: the balance then follows the account within the
    /// estimate instead of missing the fee.</summary>
    public override double EventCommission(VenueEvent e, SessionLogger log)
    {
        if (e.Commission is { } c && double.IsFinite(c) && c >= 0 && string.Equals(e.CommissionAsset, "USDT", StringComparison.Ordinal)) return c;
        var estimate = Math.Abs(e.Quantity * e.Price) * commissionRate;
        if (!(estimate > 0) || !double.IsFinite(estimate)) return 0.0;
        log.Warning(string.Create(CultureInfo.InvariantCulture,
            $"⚠️ Comisión del evento {e.Reason} ({e.ClientOrderId}) no disponible en USDT: se registra la de la config ({commissionRate:P3} = {estimate:F6} USDT)"));
        return estimate;
    }

    private static void Reconcile(VenueContext context, PositionSnapshot venue, double price, double commission = 0.0)
    {
        var step = context.Rules.MarketLotStep;
        var tolerance = step > 0 ? (double)step / 2 : 1e-12;
        if (context.Book.Reconcile(venue.Quantity, venue.EntryPrice, price, tolerance, commission) is { } record)
        {
            context.Reconciled(record);
            context.Log.Warning($"⚖️ {record.Error}");
        }
    }

    /// <summary>A rejected key or signature is the operator's to fix, not a leverage or account problem: say so,
    /// naming the variables the credentials come from (never their values).</summary>
    public override AfmlException StartFailure(ExchangeError error, string venueName, string errorId, AfmlErrorCategory category, string message, string target)
    {
        if (error.Kind != ExchangeErrorKind.Unauthorized) return base.StartFailure(error, venueName, errorId, category, message, target);
        var (key, secret) = BinanceCredentials.VariableNames(testnet: !live);
        return new AfmlException("CredentialsRejected", AfmlErrorCategory.AuthenticationError,
            $"{venueName} rejected the API credentials ({error}); check {key} and {secret} (or the -Credential given).", key);
    }
}
