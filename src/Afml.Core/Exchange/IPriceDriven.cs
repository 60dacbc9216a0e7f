namespace Afml.Core.Exchange;

/// <summary>A venue that marks its positions at the session's prices (the simulated one): the session's venue
/// (<c>Venues.SimulatedVenue</c>) tells it each candle's price before reading the account.</summary>
public interface IPriceDriven
{
    void OnPrice(string symbol, double price);
}
