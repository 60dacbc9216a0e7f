using System.Text.Json.Nodes;

namespace Afml.FakeBinance.Trading;

/// <summary>GET /fapi/v2|v3/account, /fapi/v2|v3/positionRisk and ACCOUNT_UPDATE payloads.</summary>
internal sealed class AccountJson(FakeSymbolRules rules, decimal maintenanceRate = 0.004m)
{
    private static string M(decimal v) => Num.Fixed(v, 8);
    private string Q(decimal v) => Num.Fixed(v, rules.QuantityPrecision);
    private string P(decimal v) => Num.Fixed(v, rules.PricePrecision);

    public string Account(FakeAccountSnapshot a, bool v3, long now, FakeAccountModes modes)
    {
        var isolated = modes.MarginType == "isolated";
        var maint = a.Positions.Sum(p => Math.Abs(p.Notional) * maintenanceRate);
        var asset = new JsonObject
        {
            ["asset"] = rules.QuoteAsset,
            ["walletBalance"] = M(a.WalletBalance),
            ["unrealizedProfit"] = M(a.UnrealizedPnl),
            ["marginBalance"] = M(a.MarginBalance),
            ["maintMargin"] = M(maint),
            ["initialMargin"] = M(a.InitialMargin),
            ["positionInitialMargin"] = M(a.InitialMargin),
            ["openOrderInitialMargin"] = M(0m),
            ["crossWalletBalance"] = M(a.WalletBalance),
            ["crossUnPnl"] = M(a.UnrealizedPnl),
            ["availableBalance"] = M(a.AvailableBalance),
            ["maxWithdrawAmount"] = M(a.AvailableBalance),
        };
        if (!v3) asset["marginAvailable"] = true;
        asset["updateTime"] = now;
        var assets = new JsonArray(asset);
        // Multi-assets mode: a second collateral asset, and totals valued in USD across both (account_v3.json).
        var other = modes.MultiAssetsMargin ? modes.OtherCollateral : 0m;
        if (modes.MultiAssetsMargin)
        {
            // The cross-asset available balance shows on every asset, as Binance prints it.
            asset["availableBalance"] = M(a.AvailableBalance + other);
            var usdc = new JsonObject
            {
                ["asset"] = "USDC", ["walletBalance"] = M(other), ["unrealizedProfit"] = M(0m), ["marginBalance"] = M(other),
                ["maintMargin"] = M(0m), ["initialMargin"] = M(0m), ["positionInitialMargin"] = M(0m), ["openOrderInitialMargin"] = M(0m),
                ["crossWalletBalance"] = M(other), ["crossUnPnl"] = M(0m), ["availableBalance"] = M(a.AvailableBalance + other),
                ["maxWithdrawAmount"] = M(other),
            };
            if (!v3) usdc["marginAvailable"] = true;
            usdc["updateTime"] = now;
            assets.Add(usdc);
        }

        var positions = new JsonArray();
        foreach (var p in a.Positions.Where(p => !v3 || p.Amount != 0m))
        {
            var pos = new JsonObject
            {
                ["symbol"] = p.Symbol,
                ["positionSide"] = modes.DualSidePosition ? "LONG" : "BOTH",
                ["positionAmt"] = Q(p.Amount),
                ["unrealizedProfit"] = M(p.UnrealizedPnl),
                ["isolatedMargin"] = M(0m),
                ["notional"] = M(p.Notional),
                ["isolatedWallet"] = M(0m),
                ["initialMargin"] = M(p.InitialMargin),
                ["maintMargin"] = M(Math.Abs(p.Notional) * maintenanceRate),
            };
            if (!v3)
            {
                pos["entryPrice"] = P(p.EntryPrice);
                pos["leverage"] = p.Leverage.ToString(System.Globalization.CultureInfo.InvariantCulture);
                pos["isolated"] = isolated;
                pos["positionInitialMargin"] = M(p.InitialMargin);
                pos["openOrderInitialMargin"] = M(0m);
                pos["maxNotional"] = Num.Plain(rules.MaxNotionalValue);
                pos["bidNotional"] = "0";
                pos["askNotional"] = "0";
            }
            pos["updateTime"] = p.UpdateTime;
            positions.Add(pos);
        }

        var root = new JsonObject();
        if (!v3)
        {
            root["feeTier"] = 0;
            root["feeBurn"] = modes.FeeBurn;
            root["canTrade"] = true;
            root["canDeposit"] = true;
            root["canWithdraw"] = true;
            root["updateTime"] = 0;
            root["multiAssetsMargin"] = modes.MultiAssetsMargin;
            root["tradeGroupId"] = -1;
        }
        root["totalInitialMargin"] = M(a.InitialMargin);
        root["totalMaintMargin"] = M(maint);
        root["totalWalletBalance"] = M(a.WalletBalance + other);
        root["totalUnrealizedProfit"] = M(a.UnrealizedPnl);
        root["totalMarginBalance"] = M(a.MarginBalance + other);
        root["totalPositionInitialMargin"] = M(a.InitialMargin);
        root["totalOpenOrderInitialMargin"] = M(0m);
        root["totalCrossWalletBalance"] = M(a.WalletBalance + other);
        root["totalCrossUnPnl"] = M(a.UnrealizedPnl);
        root["availableBalance"] = M(a.AvailableBalance + other);
        root["maxWithdrawAmount"] = M(a.AvailableBalance + other);
        root["assets"] = assets;
        root["positions"] = positions;
        return root.ToJsonString();
    }

    public string PositionRisk(FakeAccountSnapshot a, string? symbol, bool v3, FakeAccountModes modes)
    {
        if (modes.DualSidePosition) return HedgePositionRisk(symbol, v3, modes, a.Positions.FirstOrDefault()?.MarkPrice ?? 0m);
        var list = new JsonArray();
        foreach (var p in a.Positions.Where(p => symbol is null || p.Symbol == symbol).Where(p => !v3 || p.Amount != 0m))
        {
            var o = new JsonObject
            {
                ["symbol"] = p.Symbol,
                ["positionSide"] = "BOTH",
                ["positionAmt"] = Q(p.Amount),
                ["entryPrice"] = P(p.EntryPrice),
                ["breakEvenPrice"] = P(p.EntryPrice),
                ["markPrice"] = P(p.MarkPrice),
                ["unRealizedProfit"] = M(p.UnrealizedPnl),
                ["liquidationPrice"] = "0",
                // Isolated: the position's own margin (its initial margin) plus its PnL; cross: 0 (ccxt reads the mode from it).
                ["isolatedMargin"] = M(modes.MarginType == "isolated" ? p.InitialMargin + p.UnrealizedPnl : 0m),
                ["notional"] = M(p.Notional),
                ["isolatedWallet"] = M(modes.MarginType == "isolated" ? p.InitialMargin : 0m),
            };
            if (v3)
            {
                o["marginAsset"] = rules.QuoteAsset;
                o["initialMargin"] = M(p.InitialMargin);
                o["maintMargin"] = M(Math.Abs(p.Notional) * maintenanceRate);
                o["positionInitialMargin"] = M(p.InitialMargin);
                o["openOrderInitialMargin"] = M(0m);
                o["adl"] = 0;
                o["bidNotional"] = "0";
                o["askNotional"] = "0";
            }
            else
            {
                o["leverage"] = p.Leverage.ToString(System.Globalization.CultureInfo.InvariantCulture);
                o["marginType"] = modes.MarginType;
                o["isAutoAddMargin"] = "false";
                o["maxNotionalValue"] = Num.Plain(rules.MaxNotionalValue);
            }
            o["updateTime"] = p.UpdateTime;
            list.Add(o);
        }
        return list.ToJsonString();
    }

    /// <summary>Hedge mode (positionRisk_hedge.json): a LONG and a SHORT leg per symbol, and on v2 an empty BOTH.</summary>
    private string HedgePositionRisk(string? symbol, bool v3, FakeAccountModes modes, decimal mark)
    {
        var list = new JsonArray();
        if (symbol is not null && symbol != rules.Symbol) return list.ToJsonString();
        var (longLeg, shortLeg) = modes.HedgeLegs;
        foreach (var (side, leg) in new[] { ("LONG", longLeg), ("SHORT", shortLeg), ("BOTH", ((decimal, decimal)?)null) })
        {
            var (amount, entry) = leg ?? (0m, 0m);
            if (v3 && amount == 0m) continue;
            var o = new JsonObject
            {
                ["symbol"] = rules.Symbol, ["positionSide"] = side, ["positionAmt"] = Q(amount), ["entryPrice"] = P(entry),
                ["breakEvenPrice"] = P(entry), ["markPrice"] = P(mark), ["unRealizedProfit"] = M(amount * (mark - entry)),
                ["liquidationPrice"] = "0", ["isolatedMargin"] = M(0m), ["notional"] = M(amount * mark), ["isolatedWallet"] = M(0m),
            };
            if (!v3)
            {
                o["leverage"] = "10";
                o["marginType"] = modes.MarginType;
                o["isAutoAddMargin"] = "false";
                o["maxNotionalValue"] = Num.Plain(rules.MaxNotionalValue);
            }
            o["updateTime"] = 0;
            list.Add(o);
        }
        return list.ToJsonString();
    }

    public string AccountUpdate(FakeAccountSnapshot a, FakePosition p, long eventTime, string reason = "ORDER", string marginType = "cross") => new JsonObject
    {
        ["e"] = "ACCOUNT_UPDATE",
        ["E"] = eventTime,
        ["T"] = eventTime,
        ["a"] = new JsonObject
        {
            ["m"] = reason,
            ["B"] = new JsonArray(new JsonObject { ["a"] = rules.QuoteAsset, ["wb"] = M(a.WalletBalance), ["cw"] = M(a.WalletBalance), ["bc"] = "0" }),
            ["P"] = new JsonArray(new JsonObject
            {
                ["s"] = p.Symbol,
                ["pa"] = Q(p.Amount),
                ["ep"] = P(p.EntryPrice),
                ["bep"] = P(p.EntryPrice),
                ["cr"] = M(p.AccumulatedRealized),
                ["up"] = M(p.UnrealizedPnl),
                ["mt"] = marginType,
                ["iw"] = M(0m),
                ["ps"] = "BOTH",
            }),
        },
    }.ToJsonString();
}
