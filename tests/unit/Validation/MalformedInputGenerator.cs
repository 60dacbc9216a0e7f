using System.Globalization;
using System.Text.RegularExpressions;

namespace Afml.Tests.Validation;

/// <summary>
/// Seeded producer of inputs that are wrong in one known way each — a training folder (config_metadata.yaml or
/// scaler_train.json damaged), a candle file, a registro — as a new user makes them by hand: keys deleted or
/// misspelled, values out of their domain, files of the wrong unit, interval or shape, impossible candles.
/// Every mutation is invalid by construction, so each must be refused.
/// </summary>
internal sealed class MalformedInputGenerator(int seed)
{
    private readonly Random _rng = new(seed);

    private static readonly string[] RequiredConfigKeys =
    [
        "symbol", "interval", "SMA_short", "SMA_long", "RSI_length", "MACD_fast", "MACD_slow", "MACD_signal", "BB_length", "BB_std",
        "capital_inicial", "apalancamiento", "comision", "slippage", "window_size", "max_drawdown_permitido",
        "umbral_mantener_posicion", "normalizar_portfolio", "policy",
    ];

    private static readonly (string Key, string[] Bad)[] OutOfDomain =
    [
        ("SMA_short", ["0", "-5"]), ("RSI_length", ["0", "-14"]), ("BB_std", ["0", "-2.0"]),
        ("capital_inicial", ["0", "-10000"]), ("apalancamiento", ["1e9", "0", "0.5", "126", "-5"]),
        ("comision", ["1.5", "-0.001", "1"]), ("slippage", ["2", "-1"]), ("window_size", ["0", "-30"]),
        ("max_drawdown_permitido", ["0", "1.5", "-0.2"]), ("umbral_mantener_posicion", ["1", "-0.05", "7"]),
        ("normalizar_portfolio", ["maybe", "2"]), ("limit", ["0", "-1"]),
    ];

    private static readonly string[] Garbage = ["abc", "''", "[1, 2]", "{a: 1}", "1,5", "nan", ".inf", "0x1F", "diez"];
    private static readonly string[] BadIntervals = ["7h", "2m", "1s", "60m", "1H", "'1 h'", "10m", "2d", "0h", "-1h", "hourly"];
    private static readonly string[] BadSymbols = ["BTCUSDT&side=SELL", "BTC/USDT", "'../x'", "BTC USDT", "btc-usdt", "'BTCUSDT;DROP'", "\"BTC%20USDT\"", "A"];

    public string Choose(IReadOnlyList<string> xs) => xs[_rng.Next(xs.Count)];

    /// <summary>A damaged config (from the valid <paramref name="yaml"/>) and what was done to it.</summary>
    public (string Yaml, string What) MutateConfig(string yaml)
    {
        var lines = yaml.Split('\n').ToList();
        int Find(string key) => lines.FindIndex(l => Regex.IsMatch(l, $@"^\s*{Regex.Escape(key)}:"));
        string Set(string key, string value)
        {
            var i = Find(key);
            var indent = lines[i][..(lines[i].Length - lines[i].TrimStart().Length)];
            lines[i] = $"{indent}{key}: {value}";
            return string.Join('\n', lines);
        }
        switch (_rng.Next(9))
        {
            case 0:
            {
                var key = Choose(RequiredConfigKeys);
                lines.RemoveAt(Find(key));
                return (string.Join('\n', lines), $"config: '{key}' deleted");
            }
            case 1:
            {
                var key = Choose(RequiredConfigKeys.Where(k => k is not ("symbol" or "policy")).ToArray());
                var value = Choose(Garbage);
                if (key == "interval" && value is "''") value = "abc";
                return (Set(key, value), $"config: '{key}' = {value}");
            }
            case 2:
            {
                var (key, bad) = OutOfDomain[_rng.Next(OutOfDomain.Length)];
                var value = Choose(bad);
                return (Set(key, value), $"config: '{key}' = {value}");
            }
            case 3:
            {
                var value = Choose(BadIntervals);
                return (Set("interval", value), $"config: interval {value}");
            }
            case 4:
            {
                var value = Choose(BadSymbols);
                return (Set("symbol", value), $"config: symbol {value}");
            }
            case 5:
            {
                var key = Choose(["EMA_length", "SMA_shrot", "rsi_length", "ATR", "MACD_fst", "BB_STD"]);
                lines.Insert(Find("BB_std") + 1, $"    {key}: {_rng.Next(1, 60)}");
                return (string.Join('\n', lines), $"config: unknown indicator {key}");
            }
            case 6:
            {
                var broken = Choose(["  symbol: [BTCUSDT", "\tinterval: 1h", "portafolio: {capital_inicial: 10", "  - : :", "entorno:\n window_size: 30\n   x: 1", "@@@"]);
                lines.Insert(_rng.Next(1, lines.Count), broken);
                return (string.Join('\n', lines), $"config: not YAML ({broken.Replace('\n', '/')})");
            }
            case 7:
                return (Choose(["", "- 1\n- 2\n", "just text", "~", "42"]), "config: not a mapping");
            default:
            {
                // valid YAML and in domain, but not what the model and scaler were trained with
                var (key, value) = _rng.Next(3) switch
                {
                    0 => ("window_size", _rng.Next(2) == 0 ? "31" : "10"),
                    1 => ("SMA_short", "51"),
                    _ => ("BB_length", "21"),
                };
                return (Set(key, value), $"config: {key} {value} (disagrees with model/scaler)");
            }
        }
    }

    /// <summary>A damaged scaler_train.json (from the valid <paramref name="json"/>).</summary>
    public (string Json, string What) MutateScaler(string json, IReadOnlyList<string> names)
    {
        switch (_rng.Next(8))
        {
            case 0: return (Choose(["null", "[]", "[1, 2]", "\"scaler\"", "42", "true"]), "scaler: not an object");
            case 1:
            {
                var a = _rng.Next(names.Count);
                var b = (a + 1 + _rng.Next(names.Count - 1)) % names.Count;
                var swapped = json.Replace($"\"{names[a]}\"", "\"@@\"").Replace($"\"{names[b]}\"", $"\"{names[a]}\"").Replace("\"@@\"", $"\"{names[b]}\"");
                return (swapped, $"scaler: {names[a]} <-> {names[b]}");
            }
            case 2:
            {
                var n = Choose(names);
                return (json.Replace($"\"{n}\"", $"\"{n}x\""), $"scaler: {n} renamed");
            }
            case 3: return (json[.._rng.Next(1, json.Length - 1)], "scaler: cut");
            case 4: return (Regex.Replace(json, @"""scale"":\s*\[\s*[-0-9.eE+]+", "\"scale\": [" + Choose(["0", "-1.5", "0.0"])), "scaler: scale <= 0");
            case 5: return (Regex.Replace(json, @"""mean"":\s*\[\s*[-0-9.eE+]+", "\"mean\": [" + Choose(["\"x\"", "null", "1e999", "[1]"])), "scaler: mean not a number");
            case 6: return (Regex.Replace(json, @"""mean"":\s*\[\s*[-0-9.eE+]+\s*,", "\"mean\": ["), "scaler: one mean fewer");
            default: return (Regex.Replace(json, @"""feature_names""", "\"" + Choose(["features", "feature_name", "names"]) + "\""), "scaler: feature_names missing");
        }
    }

    /// <summary>A damaged candle file (from valid <paramref name="rows"/>, epoch-ms CSV lines without header).</summary>
    public (string Text, string What) MutateCandles(IReadOnlyList<string> rows)
    {
        const string header = "open_time,open,high,low,close,volume";
        var r = rows.ToList();
        string Text() => header + "\n" + string.Join('\n', r) + "\n";
        static string[] F(string row) => row.Split(',');
        var i = _rng.Next(10, r.Count - 10);
        switch (_rng.Next(13))
        {
            case 0:
            {
                var f = F(r[i]);
                var o = double.Parse(f[1], CultureInfo.InvariantCulture);
                var (bad, what) = _rng.Next(6) switch
                {
                    0 => ($"{f[0]},{f[1]},{Inv(o - 10)},{Inv(o + 10)},{f[4]},{f[5]}", "high < low"),
                    1 => ($"{f[0]},{f[1]},{f[2]},{f[3]},{f[4]},-{Inv(1 + _rng.Next(100))}", "negative volume"),
                    2 => ($"{f[0]},0,{f[2]},{f[3]},{f[4]},{f[5]}", "zero open"),
                    3 => ($"{f[0]},{f[1]},{f[2]},-{f[3]},{f[4]},{f[5]}", "negative low"),
                    4 => ($"{f[0]},{f[1]},{Inv(o * 0.5)},{Inv(o * 0.4)},{f[4]},{f[5]}", "high below open"),
                    _ => ($"{f[0]},{f[1]},{Inv(o * 2)},{Inv(o * 1.5)},{f[4]},{f[5]}", "low above open"),
                };
                r[i] = bad;
                return (Text(), $"candles: {what} at row {i}");
            }
            case 1:
            {
                var f = F(r[i]);
                var col = _rng.Next(1, 6);
                f[col] = Choose(["abc", "", "1,5", "nan", "inf", "-inf", "1e999", "--1", "0x10"]);
                r[i] = string.Join(',', f) is var s && f[col] == "1,5" ? s.Replace("1,5", "\"1,5\"") : string.Join(',', f);
                return (Text(), $"candles: column {col} = '{f[col]}' at row {i}");
            }
            case 2:
            {
                var col = Choose(["open_time", "open", "high", "low", "close", "volume"]);
                var cols = header.Split(',').ToList();
                var k = cols.IndexOf(col);
                cols.RemoveAt(k);
                return (string.Join(',', cols) + "\n" + string.Join('\n', r.Select(x => string.Join(',', F(x).Where((_, j) => j != k)))) + "\n", $"candles: column {col} removed");
            }
            case 3:
                (r[i], r[i + 1]) = (r[i + 1], r[i]);
                return (Text(), $"candles: rows {i},{i + 1} swapped");
            case 4:
                r.Insert(i, r[i]);
                return (Text(), $"candles: row {i} repeated");
            case 5:
            {
                var seconds = _rng.Next(2) == 0;
                r = r.Select(x => F(x) is var f ? (seconds ? Inv(long.Parse(f[0], CultureInfo.InvariantCulture) / 1000) : Inv(long.Parse(f[0], CultureInfo.InvariantCulture) * 1000)) + "," + string.Join(',', f[1..]) : x).ToList();
                return (Text(), seconds ? "candles: epoch seconds" : "candles: epoch microseconds");
            }
            case 6:
            {
                var k = Choose(["2", "3", "4", "6", "12", "24"]);
                var t0 = long.Parse(F(r[0])[0], CultureInfo.InvariantCulture);
                r = r.Select((x, j) => Inv(t0 + j * long.Parse(k, CultureInfo.InvariantCulture) * 3_600_000) + x[x.IndexOf(',')..]).ToList();
                return (Text(), $"candles: {k}h spacing on a 1h training");
            }
            case 7:
            {
                var gap = _rng.Next(ReplayGap + 1, 120);
                r.RemoveRange(i, Math.Min(gap, r.Count - i - 5));
                return (Text(), $"candles: {gap} rows removed at {i}");
            }
            case 8:
            {
                var f = F(r[i]);
                f[0] = Inv(long.Parse(f[0], CultureInfo.InvariantCulture) + _rng.Next(1, 59) * 60_000);
                r[i] = string.Join(',', f);
                return (Text(), $"candles: row {i} off the hour");
            }
            case 9: return (Choose(["", header + "\n", "\n\n", "open,high\n1,2\n"]), "candles: empty or headless");
            case 10:
                r[i] += "," + Choose(["1", "x", ""]);
                return (Text(), $"candles: row {i} has an extra field");
            case 11:
            {
                var bytes = new byte[_rng.Next(1, 4096)];
                _rng.NextBytes(bytes);
                return (System.Text.Encoding.Latin1.GetString(bytes), "candles: random bytes");
            }
            default:
                return (header + "\n" + string.Join('\n', r.Take(_rng.Next(1, 200))) + "\n", "candles: too short for the warm-up");
        }
    }

    public const int ReplayGap = Afml.Core.MarketData.ReplayCandleLoader.MaxFilledCandles;

    /// <summary>A damaged registro (from a valid one: header plus rows).</summary>
    public (string Text, string What) MutateRegistro(IReadOnlyList<string> lines)
    {
        var l = lines.ToList();
        var header = l[0].Split(',').ToList();
        var i = _rng.Next(1, l.Count - 1); // never the last line: a cut last line is tolerated by design
        string Text() => string.Join('\n', l) + "\n";
        switch (_rng.Next(6))
        {
            case 0:
            {
                var col = Choose(["timestamp", "paso", "action", "precio", "balance", "equity"]);
                var k = header.IndexOf(col);
                l = l.Select(x => string.Join(',', x.Split(',').Where((_, j) => j != k))).ToList();
                return (Text(), $"registro: column {col} removed");
            }
            case 1:
            {
                var (col, bad) = _rng.Next(6) switch
                {
                    0 => ("paso", Choose(["uno", "1.5", "x"])),
                    1 => ("precio", Choose(["abc", "1..2", "--1"])),
                    2 => ("timestamp", Choose(["ayer", "2025-13-45 99:99:99", "99999999999999999"])),
                    3 => ("posicion_abierta", Choose(["quizas", "2", "yes"])),
                    4 => ("trade_id", Choose(["1.5", "abc"])),
                    _ => ("equity", Choose(["1e", "x1"])),
                };
                var f = l[i].Split(',');
                f[header.IndexOf(col)] = bad;
                l[i] = string.Join(',', f);
                return (Text(), $"registro: {col} = '{bad}' at line {i + 1}");
            }
            case 2:
                l[i] += ",extra";
                return (Text(), $"registro: line {i + 1} has an extra field");
            case 3: return (Choose(["", "\n"]), "registro: empty");
            case 4: return ("a,b,c\n1,2,3\n", "registro: another CSV");
            default:
                l[i] = l[i].Split(',')[0];
                return (Text(), $"registro: line {i + 1} has one field");
        }
    }

    private static string Inv(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    private static string Inv(long v) => v.ToString(CultureInfo.InvariantCulture);
}
