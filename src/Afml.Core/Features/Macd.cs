namespace Afml.Core.Features;

/// <summary>One MACD row, in pandas-ta's column order (MACD, MACDh, MACDs).</summary>
/// <param name="Line">MACD line = EMA(fast) − EMA(slow).</param>
/// <param name="Histogram">Line − signal.</param>
/// <param name="Signal">pandas-ta's EMA of the line, started at the line's first defined row.</param>
public readonly record struct MacdValue(double Line, double Histogram, double Signal);

/// <summary>Streaming pandas-ta <c>macd</c> (pure-pandas path). Like pandas-ta, swaps fast and slow when
/// slow &lt; fast. The line is defined from row <c>slow − 1</c>, signal and histogram from row
/// <c>slow + signal − 2</c>. O(1) per update; no allocation.</summary>
public sealed class Macd
{
    private readonly ExponentialMovingAverage _fast;
    private readonly ExponentialMovingAverage _slow;
    private readonly ExponentialMovingAverage _signal;
    private bool _lineStarted;

    public Macd(int fast, int slow, int signal)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fast, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slow, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(signal, 1);
        if (slow < fast) (fast, slow) = (slow, fast);
        (Fast, Slow, SignalLength) = (fast, slow, signal);
        _fast = new ExponentialMovingAverage(fast);
        _slow = new ExponentialMovingAverage(slow);
        _signal = new ExponentialMovingAverage(signal);
    }

    public int Fast { get; }

    public int Slow { get; }

    public int SignalLength { get; }

    /// <summary>Inputs before the line is defined.</summary>
    public int LineLookback => _slow.Lookback;

    /// <summary>Inputs before signal and histogram are defined.</summary>
    public int Lookback => LineLookback + _signal.Lookback;

    /// <summary>Feeds the next close; fields are NaN during their warm-up.</summary>
    public MacdValue Update(double close)
    {
        var line = _fast.Update(close) - _slow.Update(close);
        // pandas-ta: ema(close=macd.loc[macd.first_valid_index():], length=signal)
        _lineStarted |= !double.IsNaN(line);
        var signal = _lineStarted ? _signal.Update(line) : double.NaN;
        return new MacdValue(line, line - signal, signal);
    }
}
