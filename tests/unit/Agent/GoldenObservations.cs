namespace Afml.Tests.Agent;

/// <summary>The fixture's 300 golden observations (obs_market.csv, obs_portfolio.csv) and trace actions.</summary>
internal sealed record GoldenObservations(float[][] Market, float[][] Portfolio, float[] ActionTanh)
{
    public int Count => ActionTanh.Length;

    public static GoldenObservations Load()
    {
        var market = GoldenTable.Load(Path.Combine(TestData.GoldenDir, "obs_market.csv"));
        var portfolio = GoldenTable.Load(Path.Combine(TestData.GoldenDir, "obs_portfolio.csv"));
        var trace = GoldenTable.Load(Path.Combine(TestData.GoldenDir, "trace.csv"));
        var n = trace.Count;
        var m = new float[n][];
        var p = new float[n][];
        var a = new float[n];
        for (var k = 0; k < n; k++)
        {
            m[k] = Enumerable.Range(1, market.Header.Length - 1).Select(i => (float)market.Double(k, market.Header[i])).ToArray();
            p[k] = [(float)portfolio.Double(k, "equity_feat"), (float)portfolio.Double(k, "pnl_feat"), (float)portfolio.Double(k, "position_feat")];
            a[k] = (float)trace.Double(k, "action_tanh");
        }
        return new GoldenObservations(m, p, a);
    }
}
