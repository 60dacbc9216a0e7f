namespace Afml.Core.Portfolio;

/// <summary>The observation's <c>portfolio</c> vector (the reference env's <c>_get_observation</c>, step 3–5).</summary>
/// <remarks>At data end (truncation) the reference returns the raw vector at close[t−1] even when normalisation
/// is on: call with <c>normalize: false</c> there.</remarks>
public static class PortfolioFeatures
{
    /// <summary>Number of portfolio features.</summary>
    public const int Count = 3;

    /// <summary>Equity below or at this is treated as zero for the pnl ratio.</summary>
    public const double EquityEpsilon = 1e-6;

    /// <summary>Writes the three features at <paramref name="price"/> into <paramref name="dest"/>, each computed in
    /// double and rounded once to float32: normalised [equity/capital, pnl/equity (0 when equity ≤ 1e-6),
    /// +1 long / −1 short / 0 flat], or raw [equity, pnl, type] when <paramref name="normalize"/> is false.</summary>
    /// <param name="book">The book.</param>
    /// <param name="price">The decision candle's close (float32 value widened to double).</param>
    /// <param name="initialCapital">The equity divisor: <c>capital_inicial</c> in training.</param>
    /// <param name="normalize"><c>entorno.normalizar_portfolio</c>.</param>
    /// <param name="dest">At least <see cref="Count"/> floats.</param>
    public static void Compute(TrainingPortfolio book, double price, double initialCapital, bool normalize, Span<float> dest)
    {
        ArgumentNullException.ThrowIfNull(book);
        if (dest.Length < Count)
            throw new ArgumentException($"Destination needs {Count} elements, has {dest.Length}.", nameof(dest));
        var pnl = book.UnrealizedPnl(price);
        var equity = book.Equity(price);
        double position = book.Position is { } p ? p.Side.Sign() : 0.0;
        if (normalize)
        {
            dest[0] = (float)(equity / initialCapital);
            dest[1] = (float)(equity > EquityEpsilon ? pnl / equity : 0.0);
        }
        else
        {
            dest[0] = (float)equity;
            dest[1] = (float)pnl;
        }
        dest[2] = (float)position;
    }

    /// <summary>Allocating convenience over <see cref="Compute(TrainingPortfolio, double, double, bool, Span{float})"/>.</summary>
    public static float[] Compute(TrainingPortfolio book, double price, double initialCapital, bool normalize)
    {
        var features = new float[Count];
        Compute(book, price, initialCapital, normalize, features);
        return features;
    }
}
