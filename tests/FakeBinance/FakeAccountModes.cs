namespace Afml.FakeBinance;

/// <summary>
/// The account settings a real Binance account can be in, each switchable by a test at any time (the server reads
/// them on every request): position mode (one-way or hedge), multi-assets margin, margin type, BNB fee burn.
/// Defaults: one-way, single-asset, cross, fees in USDT — what the engine trades on.
/// </summary>
public sealed class FakeAccountModes
{
    private volatile bool _dual;
    private volatile bool _multi;
    private volatile bool _feeBurn;
    private volatile string _marginType = "cross";
    private decimal _otherCollateral;
    private decimal _bnbPrice = 600m;
    private (decimal Amount, decimal Entry)? _longLeg, _shortLeg;
    private readonly object _gate = new();

    /// <summary>Hedge (dual-side) mode: GET /fapi/v1/positionSide/dual answers true, positions come as LONG and
    /// SHORT legs, and every order without a LONG/SHORT positionSide (or with reduceOnly) is rejected -4061.</summary>
    public bool DualSidePosition { get => _dual; set => _dual = value; }

    /// <summary>Multi-assets margin: account totals are USD-valued across assets (USDT plus <see cref="OtherCollateral"/>
    /// in USDC), as in the captured account_v3.json.</summary>
    public bool MultiAssetsMargin { get => _multi; set => _multi = value; }

    /// <summary>USD value of the non-USDT collateral (a USDC asset) counted in multi-assets mode.</summary>
    public decimal OtherCollateral { get { lock (_gate) return _otherCollateral; } set { lock (_gate) _otherCollateral = value; } }

    /// <summary>"cross" or "isolated" (symbolConfig says CROSSED / ISOLATED; positionRisk v2 says cross / isolated).</summary>
    public string MarginType { get => _marginType; set => _marginType = value is "cross" or "isolated" ? value : throw new ArgumentException("cross or isolated", nameof(value)); }

    /// <summary>Fees paid in BNB (the account's feeBurn, "BNB deduct"): 10 % off, converted at <see cref="BnbPrice"/>,
    /// with commissionAsset BNB; the USDT wallet is not charged.</summary>
    public bool FeeBurn { get => _feeBurn; set => _feeBurn = value; }

    /// <summary>The BNBUSDT price (GET /fapi/v1/ticker/price?symbol=BNBUSDT and the fee conversion).</summary>
    public decimal BnbPrice { get { lock (_gate) return _bnbPrice; } set { lock (_gate) _bnbPrice = value; } }

    /// <summary>Hedge-mode legs (positionRisk shows them when <see cref="DualSidePosition"/> is on), e.g. the captured
    /// LONG 20 @ 6563.665 and SHORT −5 @ 6600. Amounts signed as Binance prints them (SHORT negative).</summary>
    public void SetHedgeLegs((decimal Amount, decimal Entry)? longLeg, (decimal Amount, decimal Entry)? shortLeg)
    {
        lock (_gate) { _longLeg = longLeg; _shortLeg = shortLeg; }
    }

    internal ((decimal Amount, decimal Entry)? Long, (decimal Amount, decimal Entry)? Short) HedgeLegs
    {
        get { lock (_gate) return (_longLeg, _shortLeg); }
    }
}
