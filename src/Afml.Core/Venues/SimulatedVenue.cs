using Afml.Core.Exchange;
using Afml.Core.MarketData;
using Afml.Core.Portfolio;
using Afml.Core.Session;

namespace Afml.Core.Venues;

/// <summary>
/// Replay and paper: the training env on recorded or live candles. Prices are the close rounded to float32, exactly
/// as the env saw them (its frame is float32), fills are charged the env's costs, and the simulated account is
/// marked at each close. Nothing to check at start, nothing to reconcile: the simulated account is the book's twin.
/// </summary>
/// <param name="marks">The simulated account marked at each candle's price (null: nothing to mark).</param>
public sealed class SimulatedVenue(IPriceDriven? marks) : SessionVenue
{
    public override bool HoldsRealPositions => false;

    public override double PriceOf(in Candle candle) => (float)candle.Close;

    public override void OnCandle(string symbol, double price) => marks?.OnPrice(symbol, price);

    public override FillCost CostOf(OrderFill fill, SessionLogger log) => FillCost.Training;
}
