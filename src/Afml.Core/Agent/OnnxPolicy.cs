using Microsoft.ML.OnnxRuntime;

namespace Afml.Core.Agent;

/// <summary>
/// The SAC actor exported to ONNX (inputs <c>market</c> [batch, window, features] and <c>portfolio</c>
/// [batch, n]; output <c>action</c> [batch, 1] = tanh(mu)), run with OnnxRuntime on one thread. One
/// <see cref="InferenceSession"/> per trading session; input and output buffers are pinned once and reused, so a
/// prediction allocates almost nothing.
/// </summary>
public sealed class OnnxPolicy : IPolicy
{
    public const string MarketInput = "market";
    public const string PortfolioInput = "portfolio";
    public const string ActionOutput = "action";

    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly float[] _market;
    private readonly float[] _portfolio;
    private readonly float[] _action = new float[1];
    private readonly OrtValue _marketValue;
    private readonly OrtValue _portfolioValue;
    private readonly OrtValue _actionValue;
    private readonly string[] _inputNames = [MarketInput, PortfolioInput];
    private readonly string[] _outputNames = [ActionOutput];
    private readonly float _low;
    private readonly float _high;

    private OnnxPolicy(InferenceSession session, PolicyShape shape, float low, float high)
    {
        _session = session;
        Shape = shape;
        _low = low;
        _high = high;
        _market = new float[shape.MarketLength];
        _portfolio = new float[shape.PortfolioSize];
        _marketValue = OrtValue.CreateTensorValueFromMemory(_market, [1, shape.Window, shape.Features]);
        _portfolioValue = OrtValue.CreateTensorValueFromMemory(_portfolio, [1, shape.PortfolioSize]);
        _actionValue = OrtValue.CreateTensorValueFromMemory(_action, [1, 1]);
    }

    public PolicyShape Shape { get; }

    /// <summary>Loads the model and checks its inputs and output; shape problems name the file and the input.</summary>
    /// <param name="low">Action space lower bound (the trading env uses a [-1, 1] box).</param>
    public static OnnxPolicy Load(string path, float low = -1f, float high = 1f)
    {
        if (!File.Exists(path))
            throw new AfmlException("ModelNotFound", AfmlErrorCategory.ObjectNotFound, $"Modelo no encontrado: '{path}' does not exist.", path);
        NativeEnvironment.DisableOnnxRuntimeTelemetry();
        InferenceSession session;
        try
        {
            using var options = new SessionOptions
            {
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            };
            session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new AfmlException("ModelInvalid", AfmlErrorCategory.InvalidData, $"{path}: OnnxRuntime cannot load the model ({ex.Message}).", path, ex);
        }
        try
        {
            var shape = ReadShape(session, path);
            return new OnnxPolicy(session, shape, low, high);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static PolicyShape ReadShape(InferenceSession session, string path)
    {
        var inputs = session.InputMetadata;
        if (!inputs.TryGetValue(MarketInput, out var market) || !inputs.TryGetValue(PortfolioInput, out var portfolio))
            throw Bad(path, $"inputs are [{string.Join(", ", inputs.Keys)}]; expected '{MarketInput}' and '{PortfolioInput}'");
        if (!session.OutputMetadata.TryGetValue(ActionOutput, out var action))
            throw Bad(path, $"outputs are [{string.Join(", ", session.OutputMetadata.Keys)}]; expected '{ActionOutput}'");
        if (market.ElementType != typeof(float) || portfolio.ElementType != typeof(float) || action.ElementType != typeof(float))
            throw Bad(path, "inputs and output must be float32");
        var m = market.Dimensions;
        var p = portfolio.Dimensions;
        if (m.Length != 3 || m[1] <= 0 || m[2] <= 0) throw Bad(path, $"'{MarketInput}' has shape [{string.Join(", ", m)}]; expected [batch, window, features]");
        if (p.Length != 2 || p[1] <= 0) throw Bad(path, $"'{PortfolioInput}' has shape [{string.Join(", ", p)}]; expected [batch, n]");
        var a = action.Dimensions;
        if (a.Length != 2 || a[1] != 1) throw Bad(path, $"'{ActionOutput}' has shape [{string.Join(", ", a)}]; expected [batch, 1]");
        return new PolicyShape(m[1], m[2], p[1]);
    }

    private static AfmlException Bad(string path, string what) =>
        new("ModelShapeMismatch", AfmlErrorCategory.InvalidData, $"{path}: {what}.", path);

    public float Predict(ReadOnlySpan<float> market, ReadOnlySpan<float> portfolio)
    {
        market.CopyTo(_market);
        portfolio.CopyTo(_portfolio);
        _session.Run(_run, _inputNames, [_marketValue, _portfolioValue], _outputNames, [_actionValue]);
        return ActionScaling.Unscale(_action[0], _low, _high);
    }

    /// <summary>The raw tanh output of the last <see cref="Predict"/> call (before un-scaling).</summary>
    public float LastTanh => _action[0];

    public void Dispose()
    {
        _marketValue.Dispose();
        _portfolioValue.Dispose();
        _actionValue.Dispose();
        _run.Dispose();
        _session.Dispose();
    }
}
