using System.Globalization;
using Afml.Core.Exchange.Binance;
using Afml.Core.Risk;

namespace Afml.Tests.Session;

/// <summary>What the guard's whole-session tests against the fake share: a client that answers quickly on loopback
/// and an emergency protocol that backs off in milliseconds.</summary>
internal static class GuardTestDefaults
{
    public static readonly BinanceOptions Quick = new()
    {
        RecvWindow = TimeSpan.FromSeconds(1),
        ReconcileMargin = TimeSpan.FromMilliseconds(200),
        RequestTimeout = TimeSpan.FromSeconds(10), // no answer is held here: only a busy machine could be slow
        ReconcilePollInterval = TimeSpan.FromMilliseconds(100),
    };

    public static readonly EmergencyProtocolOptions FastBackOff = new(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200));

    public static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
