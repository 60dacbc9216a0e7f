namespace Afml.Core.Portfolio;

/// <summary>Direction of the book's open position. The numeric value is the reference's <c>Posicion.tipo</c>
/// (+1 long, −1 short), the sign every PnL formula multiplies by.</summary>
public enum PositionSide
{
    Long = 1,
    Short = -1,
}

/// <summary>Reference spellings and signs of <see cref="PositionSide"/>.</summary>
public static class PositionSideExtensions
{
    /// <summary>+1 for long, −1 for short.</summary>
    public static int Sign(this PositionSide side) => side == PositionSide.Long ? 1 : -1;

    /// <summary>The reference's text: <c>long</c> or <c>short</c>.</summary>
    public static string ToReferenceName(this PositionSide side) =>
        side == PositionSide.Long ? OperationNames.Long : OperationNames.Short;

    /// <summary>The other side.</summary>
    public static PositionSide Opposite(this PositionSide side) =>
        side == PositionSide.Long ? PositionSide.Short : PositionSide.Long;
}
