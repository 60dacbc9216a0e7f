using Afml.Core.Agent;

namespace Afml.Tests.Agent;

/// <summary>The market block equals the training env's observation bit for bit (golden obs_market.csv).</summary>
public class ObservationParityTests
{
    [Fact]
    public void Market_block_is_bit_identical_to_the_training_env()
    {
        var scaler = ScalerJsonReader.Read(Path.Combine(TestData.FixtureTrainingDir, "scaler_train.json"));
        var indicators = GoldenTable.Load(Path.Combine(TestData.GoldenDir, "indicators.csv"));
        var obs = GoldenTable.Load(Path.Combine(TestData.GoldenDir, "obs_market.csv"));
        var trace = GoldenTable.Load(Path.Combine(TestData.GoldenDir, "trace.csv"));
        const int window = 30;
        var builder = new ObservationBuilder(scaler, window);
        var names = scaler.FeatureNames;
        var row = new double[names.Count];
        var market = new float[window * names.Count];

        var step = 0;
        var compared = 0;
        for (var i = 0; i < indicators.Count && step < obs.Count; i++)
        {
            if (indicators.Text(i, "in_train_frame") != "1") continue;
            for (var j = 0; j < names.Count; j++) row[j] = indicators.Double(i, names[j]);
            builder.Push(row);
            if (indicators.Long(i, "open_time") != trace.Long(step, "open_time")) continue;

            builder.CopyMarket(market);
            for (var r = 0; r < window; r++)
                for (var j = 0; j < names.Count; j++)
                {
                    var expected = (float)obs.Double(step, $"w{r}_{names[j]}");
                    Assert.True(expected == market[r * names.Count + j],
                        $"step {step} w{r}_{names[j]}: expected {expected:R}, got {market[r * names.Count + j]:R}");
                    compared++;
                }
            step++;
        }
        Assert.Equal(300, step);
        Assert.Equal(300 * window * names.Count, compared);
    }

    [Fact]
    public void Window_is_not_ready_until_full_and_rotates_oldest_first()
    {
        var scaler = new StandardScalerParams(["a"], [0.0], [1.0]);
        var b = new ObservationBuilder(scaler, 3);
        b.Push([1.0]);
        b.Push([2.0]);
        Assert.False(b.IsReady);
        Assert.Throws<InvalidOperationException>(() => b.CopyMarket(new float[3]));
        b.Push([3.0]);
        b.Push([4.0]);
        var m = new float[3];
        b.CopyMarket(m);
        Assert.Equal([2f, 3f, 4f], m);
    }
}
