using System.Globalization;
using Afml.Core.Portfolio;
using Afml.Core.Recording;
using ScottPlot;

namespace Afml.Core.Analysis;

/// <summary>One session to draw: its rows, where they came from, and the drawdown limit to show.</summary>
/// <param name="Source">Labels (training, symbol, venue, session id).</param>
/// <param name="Rows">The steps, in order (at least one).</param>
/// <param name="InitialEquity">The equity before the first step (the drawdown's first peak and the return's base).</param>
/// <param name="DrawdownLimit">The limit line (a fraction), or null for none.</param>
public sealed record ChartSeries(RegistroSource Source, IReadOnlyList<RegistroRow> Rows, double InitialEquity, double? DrawdownLimit)
{
    /// <summary>Builds a series from a registro's rows; the initial equity is the training's capital when known, else the first step's.</summary>
    public static ChartSeries From(RegistroSource source, IReadOnlyList<RegistroRow> rows, double? drawdownLimit = null)
    {
        if (rows.Count == 0)
            throw new AfmlException("RegistroEmpty", AfmlErrorCategory.InvalidData,
                $"{source.Path}: the registro has no steps to draw (the session failed before its first decision).", source.Path);
        return new(source, rows, source.InitialCapital ?? rows[0].Equity, drawdownLimit ?? source.MaxDrawdownAllowed);
    }

    internal double Return => InitialEquity > 0 ? Rows[^1].Equity / InitialEquity - 1 : double.NaN;
}

/// <summary>
/// A session at a glance, as a PNG. Top panel: equity (left axis) and price (right axis) over the decision times
/// (UTC), with opens, closes, increases, reductions and the emergency marked on the price where they happened
/// (thinned to a readable density on long sessions). Bottom panel: the drawdown from the running equity peak and
/// the training's limit line. Several sessions can share one chart (equity and drawdown per session). Reads only
/// registro rows, so it draws Afml's files and the Python system's alike.
/// </summary>
public sealed class SessionChart(int width = 1400, int height = 800)
{
    /// <summary>At most this many markers of one kind are drawn per session; denser kinds are thinned evenly in time.</summary>
    public const int MaxMarkersPerKind = 120;

    private static readonly Color[] Palette =
        [Colors.Blue, Colors.DarkOrange, Colors.Green, Colors.Purple, Colors.Brown, Colors.Teal, Colors.Crimson, Colors.Olive];

    private static readonly (string Operation, MarkerShape Shape, Color Color, float Size)[] Kinds =
    [
        (OperationNames.OpenLong, MarkerShape.FilledTriangleUp, Colors.Green, 10),
        (OperationNames.OpenShort, MarkerShape.FilledTriangleDown, Colors.Red, 10),
        (OperationNames.Increase, MarkerShape.OpenTriangleUp, Colors.SeaGreen, 6),
        (OperationNames.PartialReduction, MarkerShape.OpenTriangleDown, Colors.IndianRed, 6),
        (OperationNames.FullClose, MarkerShape.Eks, Colors.Black, 9),
    ];

    public int Width { get; } = width > 0 ? width : throw new ArgumentOutOfRangeException(nameof(width));
    public int Height { get; } = height > 0 ? height : throw new ArgumentOutOfRangeException(nameof(height));

    /// <summary>Draws one session into <paramref name="pngPath"/>.</summary>
    public void Save(ChartSeries series, string pngPath, bool overwrite = true) => Save([series], pngPath, overwrite);

    /// <summary>Draws one or several sessions into one PNG, written through a temp file so an existing chart is
    /// replaced whole or not at all; without <paramref name="overwrite"/> an existing file is an error.</summary>
    public void Save(IReadOnlyList<ChartSeries> series, string pngPath, bool overwrite = true)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0 || series.Any(s => s.Rows.Count == 0))
            throw new AfmlException("RegistroEmpty", AfmlErrorCategory.InvalidData, "The registro has no rows to draw.", pngPath);
        var full = Path.GetFullPath(pngPath);
        if (!overwrite && File.Exists(full))
            throw new AfmlException("ChartExists", AfmlErrorCategory.InvalidOperation,
                $"'{full}' already exists; pass -Force to replace it, or another -OutFile.", full);

        var multiplot = Build(series);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp.png");
        try
        {
            multiplot.SavePng(temp, Width, Height);
            File.Move(temp, full, overwrite);
        }
        catch (IOException ex) when (!overwrite && File.Exists(full))
        {
            throw new AfmlException("ChartExists", AfmlErrorCategory.InvalidOperation,
                $"'{full}' already exists; pass -Force to replace it, or another -OutFile.", full, ex);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>The chart's title: training, symbol, venue, span and return (one session), or the sessions drawn.</summary>
    public static string Title(IReadOnlyList<ChartSeries> series)
    {
        var start = series.Min(s => s.Rows[0].OpenTime ?? s.Rows[0].Timestamp - RegistroMeasure.InferInterval(s.Rows)); // as Measure-AfmlRegistro's Start
        var end = series.Max(s => s.Rows[^1].Timestamp);
        var span = $"{Iso(start)} → {Iso(end)} UTC ({Duration(end - start)})";
        if (series.Count == 1)
        {
            var s = series[0];
            var label = s.Source.Label;
            var head = string.IsNullOrEmpty(label) ? $"sesión {s.Source.SessionId}" : $"{label} · sesión {s.Source.SessionId}";
            return $"{head}\n{span} · {s.Rows.Count} pasos · retorno {Percent(s.Return)}";
        }
        var trainings = series.Select(s => s.Source.TrainId).OfType<string>().Distinct().ToArray();
        var what = trainings.Length switch
        {
            0 => "",
            1 => $"{series[0].Source.Label} · ",
            _ => $"{trainings.Length} entrenamientos · ",
        };
        return $"{what}{series.Count} sesiones ({string.Join(", ", series.Select(s => s.Source.SessionId))})\n{span}";
    }

    private Multiplot Build(IReadOnlyList<ChartSeries> series)
    {
        var single = series.Count == 1;
        var top = new Plot();
        var bottom = new Plot();
        // Same fixed margins on both panels, so their data areas line up under the shared time axis.
        var padding = new PixelPadding(left: 90, right: single ? 90 : 30, bottom: 10, top: 70);
        top.Layout.Fixed(padding);
        bottom.Layout.Fixed(new PixelPadding(90, single ? 90 : 30, 62, 8));

        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            var xs = s.Rows.Select(r => r.Timestamp.UtcDateTime.ToOADate()).ToArray();
            var color = single ? Colors.Blue : Palette[i % Palette.Length];
            if (single)
            {
                var price = top.Add.SignalXY(xs, s.Rows.Select(r => r.Precio).ToArray());
                price.LegendText = "precio";
                price.Color = Colors.Gray.WithAlpha(.55);
                price.LineWidth = 1;
                price.Axes.YAxis = top.Axes.Right;
                top.Axes.Right.Label.Text = "precio";
                foreach (var kind in Kinds) Mark(top, s, xs, r => r.Operacion == kind.Operation && r.Resultado != false && r.TipoAccion != RegistroMeasure.EmergencyActionType, kind.Shape, kind.Color, kind.Size, kind.Operation);
                Mark(top, s, xs, r => r.TipoAccion == RegistroMeasure.EmergencyActionType, MarkerShape.FilledDiamond, Colors.Magenta, 14, "emergencia");
            }

            var equity = top.Add.SignalXY(xs, s.Rows.Select(r => r.Equity).ToArray());
            equity.LegendText = single ? "equity" : $"{s.Source.SessionId} equity ({Percent(s.Return)})";
            equity.Color = color;
            equity.LineWidth = 2;
            equity.Axes.YAxis = top.Axes.Left;

            var dd = Drawdown(s);
            var ddLine = bottom.Add.SignalXY(xs, dd);
            ddLine.Color = single ? Colors.Red : color;
            ddLine.LineWidth = 1.5f;
            if (single)
            {
                var fill = bottom.Add.FillY(xs, dd, new double[dd.Length]);
                fill.FillColor = Colors.Red.WithAlpha(.18);
                fill.LineWidth = 0;
            }
        }

        var xStart = series.Min(s => s.Rows[0].Timestamp.UtcDateTime.ToOADate());
        foreach (var limit in series.Select(s => s.DrawdownLimit).OfType<double>().Distinct())
        {
            bottom.Add.HorizontalLine(-limit * 100, 1.5f, Colors.Black, LinePattern.Dashed);
            var text = bottom.Add.Text($"límite {(limit * 100).ToString("0.00", CultureInfo.InvariantCulture)} %", xStart, -limit * 100);
            text.LabelAlignment = Alignment.LowerLeft;
            text.LabelFontSize = 11;
            text.LabelBackgroundColor = Colors.White.WithAlpha(.8);
        }

        top.Axes.Left.Label.Text = "equity (USDT)";
        top.Axes.Bottom.TickLabelStyle.IsVisible = false;
        top.Title(Title(series));
        top.Axes.Title.Label.FontSize = 15;
        top.Legend.IsVisible = true;
        top.Legend.Alignment = Alignment.UpperLeft;
        top.Legend.Orientation = Orientation.Horizontal;
        top.Legend.FontSize = 11;
        top.Legend.BackgroundColor = Colors.White.WithAlpha(.85);
        // Headroom above the curves for the legend, so it never sits on them.
        top.Axes.Margins(left: 0.01, right: 0.01, bottom: 0.05, top: 0.22);
        top.Axes.Right.TickLabelStyle.IsVisible = single;

        bottom.Axes.Left.Label.Text = "drawdown %";
        bottom.Axes.Margins(left: 0.01, right: 0.01, bottom: 0.08, top: 0.05);
        var ticks = bottom.Axes.DateTimeTicksBottom();
        if (ticks.TickGenerator is ScottPlot.TickGenerators.DateTimeAutomatic auto)
            auto.LabelFormatter = t => t.ToString("yyyy-MM-dd'\n'HH:mm", CultureInfo.InvariantCulture);
        bottom.Axes.Bottom.Label.Text = "UTC";
        var minDd = series.Min(s => Drawdown(s).Min());
        var limitMax = series.Select(s => s.DrawdownLimit ?? 0).Max();
        bottom.Axes.SetLimitsY(Math.Min(minDd, -limitMax * 100) * 1.08 - 0.5, 0.5);

        var x0 = series.Min(s => s.Rows[0].Timestamp.UtcDateTime.ToOADate());
        var x1 = series.Max(s => s.Rows[^1].Timestamp.UtcDateTime.ToOADate());
        var pad = Math.Max((x1 - x0) * 0.01, 1.0 / 24 / 60);
        top.Axes.AutoScale();
        top.Axes.SetLimitsX(x0 - pad, x1 + pad);
        bottom.Axes.SetLimitsX(x0 - pad, x1 + pad);

        var multiplot = new Multiplot();
        multiplot.AddPlot(top);
        multiplot.AddPlot(bottom);
        // The first Plot the Multiplot made for itself is not ours.
        foreach (var p in multiplot.GetPlots().Where(p => p != top && p != bottom).ToArray()) multiplot.RemovePlot(p);
        var rows = new ScottPlot.MultiplotLayouts.DraggableRows();
        multiplot.Layout = rows;
        rows.SetHeights([Height * 0.68f, Height * 0.32f]); // pixels
        multiplot.SharedAxes.ShareX([top, bottom]);
        return multiplot;
    }

    /// <summary>Drawdown in % (≤ 0) from the running equity peak, the initial equity included.</summary>
    internal static double[] Drawdown(ChartSeries s)
    {
        var result = new double[s.Rows.Count];
        var peak = s.InitialEquity;
        for (var i = 0; i < result.Length; i++)
        {
            var e = s.Rows[i].Equity;
            if (e > peak) peak = e;
            result[i] = peak > 0 ? -(peak - e) / peak * 100 : 0;
        }
        return result;
    }

    /// <summary>Indexes of the rows of one marker kind, thinned evenly in time to at most <see cref="MaxMarkersPerKind"/>.</summary>
    internal static int[] Thin(IReadOnlyList<int> indexes, double[] xs)
    {
        if (indexes.Count <= MaxMarkersPerKind) return [.. indexes];
        double x0 = xs[0], span = Math.Max(xs[^1] - x0, double.Epsilon);
        var kept = new List<int>(MaxMarkersPerKind);
        var lastBucket = -1;
        foreach (var i in indexes)
        {
            var bucket = Math.Min(MaxMarkersPerKind - 1, (int)((xs[i] - x0) / span * MaxMarkersPerKind));
            if (bucket == lastBucket) continue;
            kept.Add(i);
            lastBucket = bucket;
        }
        return [.. kept];
    }

    private static void Mark(Plot plot, ChartSeries s, double[] xs, Func<RegistroRow, bool> which, MarkerShape shape, Color color, float size, string label)
    {
        var all = Enumerable.Range(0, s.Rows.Count).Where(i => which(s.Rows[i])).ToArray();
        if (all.Length == 0) return;
        var idx = Thin(all, xs);
        var markers = plot.Add.Markers(idx.Select(i => xs[i]).ToArray(), idx.Select(i => s.Rows[i].Precio).ToArray(), shape, size, color);
        markers.LegendText = idx.Length == all.Length ? $"{label} ({all.Length})" : $"{label} ({idx.Length} de {all.Length})";
        markers.Axes.YAxis = plot.Axes.Right;
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);

    private static string Percent(double fraction) =>
        double.IsNaN(fraction) ? "n/d" : (fraction * 100).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture) + " %";

    private static string Duration(TimeSpan t) =>
        t.TotalDays >= 1 ? $"{(int)t.TotalDays} d {t.Hours} h" : t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes} min" : $"{(int)t.TotalMinutes} min";
}
