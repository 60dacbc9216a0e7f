namespace Afml.Core.Features.Kernels;

/// <summary>The last <c>length</c> inputs of a fixed-length rolling window (pandas <c>FixedWindowIndexer</c>):
/// pushing a value returns the one that leaves the window, if any. Pre-allocated; O(1) per push.</summary>
internal sealed class SlidingWindow
{
    private readonly double[] _values;
    private int _next;
    private int _count;

    public SlidingWindow(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        _values = new double[length];
    }

    /// <summary>Adds <paramref name="value"/>; when the window was full, returns true with the evicted value.</summary>
    public bool Push(double value, out double evicted)
    {
        var full = _count == _values.Length;
        evicted = full ? _values[_next] : double.NaN;
        _values[_next] = value;
        _next = _next + 1 == _values.Length ? 0 : _next + 1;
        if (!full) _count++;
        return full;
    }
}
