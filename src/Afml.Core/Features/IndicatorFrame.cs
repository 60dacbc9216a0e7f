using Afml.Core.MarketData;

namespace Afml.Core.Features;

/// <summary>The trainer's frame for one candle: OHLCV followed by the indicators of <see cref="IndicatorSettings"/>,
/// in <see cref="IndicatorSettings.FrameColumns"/> order (slot i holds column i).</summary>
internal sealed class IndicatorFrame
{
    private readonly SimpleMovingAverage _smaShort;
    private readonly SimpleMovingAverage _smaLong;
    private readonly RelativeStrengthIndex _rsi;
    private readonly Macd _macd;
    private readonly BollingerBands _bollinger;
    private readonly int[] _lookbacks;

    public IndicatorFrame(IndicatorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _smaShort = new SimpleMovingAverage(settings.SmaShort);
        _smaLong = new SimpleMovingAverage(settings.SmaLong);
        _rsi = new RelativeStrengthIndex(settings.RsiLength);
        _macd = new Macd(settings.MacdFast, settings.MacdSlow, settings.MacdSignal);
        _bollinger = new BollingerBands(settings.BbLength, settings.BbStd);
        Columns = settings.FrameColumns;
        _lookbacks =
        [
            0, 0, 0, 0, 0,
            _smaShort.Lookback, _smaLong.Lookback, _rsi.Lookback,
            _macd.LineLookback, _macd.Lookback, _macd.Lookback,
            _bollinger.Lookback, _bollinger.Lookback, _bollinger.Lookback, _bollinger.Lookback, _bollinger.Lookback,
        ];
        if (_lookbacks.Length != Columns.Count)
            throw new InvalidOperationException("IndicatorSettings.FrameColumns no longer matches the frame's slots.");
    }

    /// <summary>Column names as pandas-ta names them, one per slot.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Candles before slot <paramref name="slot"/> is first defined.</summary>
    public int Lookback(int slot) => _lookbacks[slot];

    /// <summary>Feeds the next candle and writes every slot of its row.</summary>
    public void Update(in Candle candle, Span<double> row)
    {
        var close = candle.Close;
        var macd = _macd.Update(close);
        var bb = _bollinger.Update(close);
        row[0] = candle.Open;
        row[1] = candle.High;
        row[2] = candle.Low;
        row[3] = close;
        row[4] = candle.Volume;
        row[5] = _smaShort.Update(close);
        row[6] = _smaLong.Update(close);
        row[7] = _rsi.Update(close);
        row[8] = macd.Line;
        row[9] = macd.Histogram;
        row[10] = macd.Signal;
        row[11] = bb.Lower;
        row[12] = bb.Mid;
        row[13] = bb.Upper;
        row[14] = bb.Bandwidth;
        row[15] = bb.Percent;
    }
}
