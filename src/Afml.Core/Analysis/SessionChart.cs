using Afml.Core.Portfolio;
using Afml.Core.Recording;
using ScottPlot;

namespace Afml.Core.Analysis;

/// <summary>
/// A session at a glance, as a PNG: equity (left axis) and price (right axis) over the decision times, with the
/// opens, closes and an emergency marked where they happened. Reads only registro rows, so it draws Afml's files and
/// the Python system's alike.
/// </summary>
public sealed class SessionChart(int width = 1400, int height = 700)
{
    public int Width { get; } = width > 0 ? width : throw new ArgumentOutOfRangeException(nameof(width));
    public int Height { get; } = height > 0 ? height : throw new ArgumentOutOfRangeException(nameof(height));

    /// <summary>Draws <paramref name="rows"/> into <paramref name="pngPath"/> (written through a temp file, so an
    /// existing chart is replaced whole or not at all).</summary>
    public void Save(IReadOnlyList<RegistroRow> rows, string pngPath, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
            throw new AfmlException("RegistroEmpty", AfmlErrorCategory.InvalidData, "The registro has no rows to draw.", pngPath);
        var plot = new Plot();
        var xs = rows.Select(r => r.Timestamp.UtcDateTime.ToOADate()).ToArray();

        var price = plot.Add.Scatter(xs, rows.Select(r => r.Precio).ToArray());
        price.LegendText = "precio";
        price.MarkerSize = 0;
        price.Color = Colors.Gray.WithAlpha(.6);
        price.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "precio";

        var equity = plot.Add.Scatter(xs, rows.Select(r => r.Equity).ToArray());
        equity.LegendText = "equity";
        equity.MarkerSize = 0;
        equity.LineWidth = 2;
        equity.Color = Colors.Blue;
        plot.Axes.Left.Label.Text = "equity (USDT)";

        Mark(plot, rows, xs, r => r.Operacion is OperationNames.OpenLong, MarkerShape.FilledTriangleUp, Colors.Green, "abrir_long");
        Mark(plot, rows, xs, r => r.Operacion is OperationNames.OpenShort, MarkerShape.FilledTriangleDown, Colors.Red, "abrir_short");
        Mark(plot, rows, xs, r => r.Operacion is OperationNames.FullClose, MarkerShape.Eks, Colors.Black, "cierre_completo");
        Mark(plot, rows, xs, r => r.TipoAccion is Session.TradingSession.EmergencyActionType, MarkerShape.FilledDiamond, Colors.Magenta, "emergencia");

        plot.Axes.DateTimeTicksBottom();
        plot.Title(title ?? $"{rows[0].Timestamp:yyyy-MM-dd HH:mm} → {rows[^1].Timestamp:yyyy-MM-dd HH:mm} · {rows.Count} pasos");
        plot.ShowLegend(Alignment.LowerLeft);

        var directory = Path.GetDirectoryName(Path.GetFullPath(pngPath))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(pngPath)}.{Guid.NewGuid():N}.tmp.png");
        try
        {
            plot.SavePng(temp, Width, Height);
            File.Move(temp, pngPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static void Mark(Plot plot, IReadOnlyList<RegistroRow> rows, double[] xs, Func<RegistroRow, bool> which, MarkerShape shape, Color color, string label)
    {
        var idx = Enumerable.Range(0, rows.Count).Where(i => which(rows[i])).ToArray();
        if (idx.Length == 0) return;
        var markers = plot.Add.Markers(idx.Select(i => xs[i]).ToArray(), idx.Select(i => rows[i].Equity).ToArray(), shape, 9, color);
        markers.LegendText = label;
    }
}
