using Afml.Core;
using Afml.Core.Analysis;
using Afml.Core.Recording;

namespace Afml.Tests.Analysis;

public class SessionChartTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static RegistroRow Row(int paso, double equity, string op = "mantener", string tipo = "mantener") => new()
    {
        Timestamp = T0.AddHours(paso), OpenTime = T0.AddHours(paso - 1), Paso = paso, Action = 0, Precio = 100 + paso,
        Balance = equity, Equity = equity, MaxDrawdown = 0, PnlTotal = 0, PosicionAbierta = false, TipoAccion = tipo, Operacion = op, Resultado = true,
    };

    private static RegistroSource Source(string id = "20250101_000000") => new()
    {
        Path = $"/x/train_BTCUSDT_a/produccion/registro_{id}.csv", SessionId = id, TrainId = "train_BTCUSDT_a", Symbol = "BTCUSDT", Venue = "simulated", InitialCapital = 1000, MaxDrawdownAllowed = 0.25,
    };

    private static string TempDir() => Directory.CreateTempSubdirectory("afml-chart-").FullName;

    [Fact]
    public void An_empty_registro_is_a_clear_error_and_leaves_an_existing_chart_untouched()
    {
        var dir = TempDir();
        try
        {
            var png = Path.Combine(dir, "registro.png");
            File.WriteAllText(png, "previous chart");
            var error = Assert.Throws<AfmlException>(() => ChartSeries.From(Source(), Array.Empty<RegistroRow>()));
            Assert.Equal("RegistroEmpty", error.ErrorId);
            Assert.Equal("previous chart", File.ReadAllText(png));
            Assert.Single(Directory.GetFiles(dir)); // no temp file left behind
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void An_existing_chart_is_replaced_only_when_asked()
    {
        var dir = TempDir();
        try
        {
            var png = Path.Combine(dir, "registro.png");
            File.WriteAllText(png, "previous chart");
            var series = ChartSeries.From(Source(), [Row(1, 1000), Row(2, 950), Row(3, 990)]);
            var error = Assert.Throws<AfmlException>(() => new SessionChart(600, 400).Save(series, png, overwrite: false));
            Assert.Equal("ChartExists", error.ErrorId);
            Assert.Equal("previous chart", File.ReadAllText(png));
            new SessionChart(600, 400).Save(series, png, overwrite: true);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png).Take(4));
            Assert.Single(Directory.GetFiles(dir));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void The_title_names_training_symbol_venue_session_span_and_return_in_iso_utc()
    {
        var series = ChartSeries.From(Source(), [Row(1, 1000), Row(2, 950), Row(3, 1100)]);
        var title = SessionChart.Title([series]);
        Assert.Contains("train_BTCUSDT_a · BTCUSDT · simulated · sesión 20250101_000000", title);
        Assert.Contains("2025-01-01T00:00Z → 2025-01-01T03:00Z UTC (3 h 0 min)", title);
        Assert.Contains("retorno +10.00 %", title);                    // 1100 over the training's 1000
        var python = ChartSeries.From(Source(), [Row(1, 1000) with { OpenTime = null }, Row(2, 1000) with { OpenTime = null }]);
        Assert.Contains("2025-01-01T00:00Z → 2025-01-01T02:00Z UTC", SessionChart.Title([python])); // no open_time: one interval before the first decision
        var two = SessionChart.Title([series, series with { Source = Source("20250102_000000") }]);
        Assert.Contains("2 sesiones (20250101_000000, 20250102_000000)", two);
    }

    [Fact]
    public void Drawdown_is_measured_from_the_running_peak_the_initial_equity_included()
    {
        var series = ChartSeries.From(Source(), [Row(1, 900), Row(2, 1200), Row(3, 900)]);
        var dd = SessionChart.Drawdown(series);
        Assert.Equal(-10, dd[0], 9);   // from the initial 1000
        Assert.Equal(0, dd[1], 9);
        Assert.Equal(-25, dd[2], 9);   // from the 1200 peak
    }

    [Fact]
    public void Dense_markers_are_thinned_evenly_in_time_and_sparse_ones_kept()
    {
        var xs = Enumerable.Range(0, 30_000).Select(i => (double)i).ToArray();
        var sparse = new[] { 3, 50, 29_000 };
        Assert.Equal(sparse, SessionChart.Thin(sparse, xs));
        var dense = Enumerable.Range(0, 30_000).Where(i => i % 3 == 0).ToArray();
        var kept = SessionChart.Thin(dense, xs);
        Assert.InRange(kept.Length, SessionChart.MaxMarkersPerKind - 2, SessionChart.MaxMarkersPerKind);
        var gaps = kept.Zip(kept.Skip(1), (a, b) => b - a).ToArray();
        Assert.True(gaps.Max() - gaps.Min() <= 3, "evenly spread");
    }
}
