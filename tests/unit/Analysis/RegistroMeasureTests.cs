using Afml.Core;
using Afml.Core.Analysis;
using Afml.Core.Recording;

namespace Afml.Tests.Analysis;

public class RegistroMeasureTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static RegistroRow Row(int paso, double equity, bool open, string? side, double pnlTotal, double? unrealised, string tipo, string op) => new()
    {
        Timestamp = T0.AddHours(paso), OpenTime = T0.AddHours(paso - 1), Paso = paso, Action = 0, Precio = 100,
        Balance = equity, Equity = equity, MaxDrawdown = 0, PnlTotal = pnlTotal, PosicionAbierta = open,
        TipoPosicionActiva = side, PnlNoRealizado = unrealised, TipoAccion = tipo, Operacion = op, Resultado = true,
    };

    // Worked by hand: start 1000; open long (fee 10) → 990; +50 unrealised → 1040; close → 1040 (pnl_total 50);
    // open short (fee 5) → 1035; −35 unrealised → 1000, still open.
    private static readonly RegistroRow[] Tiny =
    [
        Row(1, 990, true, "long", 0, 0, "long", "abrir_long"),
        Row(2, 1040, true, "long", 0, 50, "mantener", "mantener"),
        Row(3, 1040, false, null, 50, null, "short", "cierre_completo"),
        Row(4, 1035, true, "short", 50, 0, "short", "abrir_short"),
        Row(5, 1000, true, "short", 50, -35, "mantener", "mantener"),
    ];

    private static readonly RegistroSource Source = new() { Path = "/x/registro_20250101_000000.csv", SessionId = "20250101_000000", InitialCapital = 1000 };

    [Fact]
    public void Figures_of_a_registro_worked_out_by_hand()
    {
        var m = RegistroMeasure.Measure(Tiny, Source);
        Assert.Equal(5, m.Steps);
        Assert.Equal(TimeSpan.FromHours(1), m.Interval);
        Assert.Equal(T0, m.Start);
        Assert.Equal(TimeSpan.FromHours(5), m.Span);
        Assert.Equal(1000, m.InitialEquity);
        Assert.Equal(0.0, m.Return, 12);
        Assert.Equal(40.0 / 1040, m.MaxDrawdown, 12);        // peak 1040 → 1000
        Assert.Equal(T0.AddHours(5), m.MaxDrawdownAt);
        Assert.Equal(0.012178347216540179, m.SharpePerInterval, 12);
        Assert.Equal(1.1398308446945629, m.Sharpe, 10);      // × √8760
        Assert.Equal(0.023635105201285377, m.SortinoPerInterval, 12);
        Assert.Equal(2.2121246378520913, m.Sortino, 10);
        Assert.Equal(1, m.Trades);                            // the short is still open
        Assert.Equal([40.0], m.TradePnl);                     // 1040 after the close − 1000 before the open
        Assert.Equal(1.0, m.WinRate);
        Assert.True(double.IsPositiveInfinity(m.ProfitFactor));
        Assert.Equal(40, m.AverageWin, 12);
        Assert.True(m.PositionOpenAtEnd);
        Assert.Equal(0.8, m.Exposure, 12);
        Assert.Equal(TimeSpan.FromHours(4), m.ExposureTime);
        Assert.Equal(15, m.Fees, 9);                          // 1000 + 50 − 35 − 1000
        Assert.Equal(3, m.Orders);
        Assert.Equal(new Dictionary<string, int> { ["mantener"] = 2, ["short"] = 2, ["long"] = 1 }, m.Actions);
        Assert.Equal(["mantener", "short", "long"], m.Actions.Keys);
        Assert.False(m.Emergency);
    }

    [Fact]
    public void Losing_trades_make_the_profit_factor_and_the_average_loss()
    {
        var rows = Tiny.Take(3).Concat(
        [
            Row(4, 1035, true, "short", 50, 0, "short", "abrir_short"),
            Row(5, 1010, false, null, 25, null, "emergencia", "cierre_completo") with { EstadoTrading = "HALTED" },
        ]).ToArray();
        var m = RegistroMeasure.Measure(rows, Source);
        Assert.Equal([40.0, -30.0], m.TradePnl);              // 1010 − 1040
        Assert.Equal(40.0 / 30.0, m.ProfitFactor, 12);
        Assert.Equal(-30, m.AverageLoss, 12);
        Assert.Equal(0.5, m.WinRate);
        Assert.True(m.Emergency);
        Assert.Equal("HALTED", m.FinalTradingState);
        Assert.Equal(10 + 5, m.Fees, 9);                      // 1000 + 25 − 1010
    }

    [Fact]
    public void Without_a_training_the_first_step_is_the_initial_equity_and_the_interval_comes_from_the_timestamps()
    {
        var rows = Tiny.Select(r => r with { Timestamp = T0.AddMinutes(15 * r.Paso), OpenTime = null }).ToArray();
        var m = RegistroMeasure.Measure(rows, Source with { InitialCapital = null });
        Assert.Equal(990, m.InitialEquity);
        Assert.Equal(TimeSpan.FromMinutes(15), m.Interval);
        Assert.Equal(T0, m.Start);                            // first decision − one interval
        Assert.Equal(365 * 24 * 4, m.IntervalsPerYear, 9);
    }

    [Fact]
    public void A_registro_without_steps_is_a_clear_error()
    {
        var e = Assert.Throws<AfmlException>(() => RegistroMeasure.Measure([], Source));
        Assert.Equal("RegistroEmpty", e.ErrorId);
    }

    [Theory]
    [InlineData("registro_20261202_140728.csv", "20261202_140728")]
    [InlineData("registro_20261202_140728.copy.csv", "20261202_140728")]
    [InlineData("mi_registro.csv", "mi_registro")]
    public void The_session_id_is_the_file_name_stamp(string name, string id) =>
        Assert.Equal(id, RegistroSource.SessionIdOf(Path.Combine("/tmp", name)));
}
