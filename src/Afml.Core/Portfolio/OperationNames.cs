namespace Afml.Core.Portfolio;

/// <summary>The words the reference writes into <c>tipo_accion</c>, <c>operacion</c> and <c>error</c>, so a
/// recording can reproduce its CSVs.</summary>
public static class OperationNames
{
    /// <summary><c>tipo_accion</c> of a hold, and <c>operacion</c>/<c>tipo_accion</c> of a modify to the same pct.</summary>
    public const string Hold = "mantener";

    /// <summary>Side text of a long position or a long branch.</summary>
    public const string Long = "long";

    /// <summary>Side text of a short position or a short branch.</summary>
    public const string Short = "short";

    /// <summary>A successful open of a long position.</summary>
    public const string OpenLong = "abrir_long";

    /// <summary>A successful open of a short position.</summary>
    public const string OpenShort = "abrir_short";

    /// <summary>An open the portfolio refused (<c>resultado</c> false, with an error text).</summary>
    public const string OpenRefused = "abrir_posicion";

    /// <summary>A full close (opposite signal, or a reduction that would take the whole quantity).</summary>
    public const string FullClose = "cierre_completo";

    /// <summary>An increase of the open position (new pct above the stored one).</summary>
    public const string Increase = "aumento_posicion";

    /// <summary>A partial reduction of the open position (new pct below the stored one).</summary>
    public const string PartialReduction = "reduccion_parcial";

    /// <summary>Prefix of the error of an open refused because its cost exceeds the free balance.</summary>
    public const string InsufficientCapitalError = "insuficiente_capital";

    /// <summary>Prefix of the error of an open whose quantity could not be computed (equity ≤ 0).</summary>
    public const string InvalidQuantityError = "calculo_cantidad_invalido";

    /// <summary>Prefix of the error of an increase the free balance cannot pay for.</summary>
    public const string InsufficientBalanceError = "insuficiente_balance";

    /// <summary><c>operacion</c>/<c>tipo_accion</c> of a book brought to the venue's position (C# port only: live
    /// venues can disagree with the book; the venue wins).</summary>
    public const string Reconciliation = "reconciliacion";

    /// <summary>Error of an order that the venue did not fill at all (C# port only: the training env always fills).</summary>
    public const string NotFilledError = "orden_no_ejecutada";
}
