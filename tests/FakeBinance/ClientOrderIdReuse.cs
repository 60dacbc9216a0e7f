namespace Afml.FakeBinance;

/// <summary>Whether a newClientOrderId already used by a closed order may be used again.</summary>
public enum ClientOrderIdReuse
{
    /// <summary>Binance's documented rule: unique among open orders only; -4116 only when an open order has it.</summary>
    AllowWhenNotOpen,

    /// <summary>Stricter than documented: any id seen before is rejected with -4116.</summary>
    RejectAnyKnown,
}
