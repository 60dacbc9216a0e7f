using System.Globalization;
using Afml.Core.Portfolio;
using Afml.Tests.Golden;

namespace Afml.Tests.Portfolio;

/// <summary>Replays the golden trace's actions through the book and compares every <c>op_*</c>, <c>pf_*</c> and
/// portfolio-observation value with the reference's.</summary>
public class TrainingPortfolioParityTests
{
    private static readonly GoldenTrainingConfig Config = GoldenTrainingConfig.Load(TestData.FixtureTrainingDir);

    [Fact]
    public void Replaying_the_trace_reproduces_operations_portfolio_and_observations_exactly()
    {
        var trace = GoldenCsv.Load(Path.Combine(TestData.GoldenDir, "trace.csv"));
        var observations = GoldenCsv.Load(Path.Combine(TestData.GoldenDir, "obs_portfolio.csv"));
        Assert.Equal(300, trace.RowCount);
        Assert.Equal(trace.RowCount, observations.RowCount);

        var book = new TrainingPortfolio(Config.Portfolio);
        var interpreter = new ActionInterpreter(Config.HoldThreshold);
        var mismatches = new List<string>();
        Span<float> features = stackalloc float[PortfolioFeatures.Count];

        for (var k = 0; k < trace.RowCount; k++)
        {
            Assert.Equal(k, trace.Long(k, "step"));
            var price = trace.Double(k, "close_t");
            Assert.Equal(price, (double)(float)price); // a float32 close widened to double
            if (k > 0) Assert.Equal(trace.Double(k - 1, "env_precio"), price);

            // Observation of step k: the book at close[t] before the action.
            PortfolioFeatures.Compute(book, price, Config.Portfolio.InitialCapital, Config.NormalizePortfolio, features);
            string[] featureNames = ["equity_feat", "pnl_feat", "position_feat"];
            for (var j = 0; j < featureNames.Length; j++)
            {
                var expected = observations.Float(k, featureNames[j]);
                if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(features[j]))
                    mismatches.Add($"step {k} obs {featureNames[j]}: expected {R(expected)}, got {R(features[j])}");
            }

            // The env's step: candle count, action at close[t], then evaluation at close[t+1].
            book.OnNewCandle();
            var action = trace.Float(k, "action");
            var plan = book.Plan(interpreter.Interpret(action, book.Position?.Side), price);
            var record = book.Apply(plan, price, plan.Quantity);

            var next = trace.Double(k, "env_precio");
            book.MaxDrawdown(next); // reward
            book.MaxDrawdown(next); // termination check
            var info = book.Info(next);

            foreach (var (key, value) in record.Fields())
                ReferenceDictComparer.Compare(trace, k, "op_" + key, value, mismatches);
            foreach (var (key, value) in info.Fields())
                ReferenceDictComparer.Compare(trace, k, "pf_" + key, value, mismatches);
        }

        Assert.True(mismatches.Count == 0,
            $"{mismatches.Count} mismatches:\n" + string.Join("\n", mismatches.Take(40)));
    }

    /// <summary>The reference's evaluation episode (evaluacion/evaluacion/*.csv): the same shared book after 1,441
    /// training trades, so ids start at 1442; the episode ends terminated by the drawdown limit. The first decision
    /// price is not in these files; it is the step-0 open's entry price (that step opened at close[t]).</summary>
    [Fact]
    public void Replaying_the_evaluation_episode_reproduces_operacion_and_portafolio_csv_exactly()
    {
        var dir = Path.Combine(TestData.FixtureTrainingDir, "evaluacion", "evaluacion");
        var entorno = GoldenCsv.Load(Path.Combine(dir, "entorno.csv"));
        var operacion = GoldenCsv.Load(Path.Combine(dir, "operacion.csv"));
        var portafolio = GoldenCsv.Load(Path.Combine(dir, "portafolio.csv"));
        Assert.Equal(entorno.RowCount, operacion.RowCount);
        Assert.Equal(entorno.RowCount, portafolio.RowCount);
        Assert.Equal("abrir_long", operacion.Text(0, "operacion"));

        var book = new TrainingPortfolio(Config.Portfolio, firstTradeId: operacion.Long(0, "trade_id")!.Value);
        var interpreter = new ActionInterpreter(Config.HoldThreshold);
        var maxDrawdownAllowed = Config.MaxDrawdownAllowed;
        var mismatches = new List<string>();
        var price = operacion.Double(0, "precio_entrada");

        for (var k = 0; k < entorno.RowCount; k++)
        {
            book.OnNewCandle();
            var plan = book.Plan(interpreter.Interpret(entorno.Float(k, "action"), book.Position?.Side), price);
            var record = book.Apply(plan, price, plan.Quantity);

            var next = entorno.Double(k, "precio");
            book.MaxDrawdown(next);
            var terminated = book.MaxDrawdown(next) >= maxDrawdownAllowed;
            var info = book.Info(next);
            Assert.Equal(entorno.Bool(k, "terminated"), terminated);

            foreach (var (key, value) in record.Fields())
                ReferenceDictComparer.Compare(operacion, k, key, value, mismatches);
            foreach (var (key, value) in info.Fields())
                ReferenceDictComparer.Compare(portafolio, k, key, value, mismatches);
            price = next;
        }

        Assert.True(mismatches.Count == 0,
            $"{mismatches.Count} mismatches:\n" + string.Join("\n", mismatches.Take(40)));
    }

    private static string R(double d) => d.ToString("R", CultureInfo.InvariantCulture);
}
