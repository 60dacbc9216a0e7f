using System.Collections.ObjectModel;
using Afml.Core.MarketData;

namespace Afml.Core.Features;

/// <summary>Turns a stream of candles into the model's feature vectors: the trainer's frame (OHLCV plus the
/// pandas-ta indicators of <see cref="IndicatorSettings"/>) projected onto an ordered list of feature names, as
/// the scaler lists them. One <see cref="Update"/> per closed candle, O(1), no allocation.</summary>
/// <remarks>Candles must be continuity-filled (finite values, strictly increasing open times), as the trainer's
/// preprocessing makes them; the pipeline rejects anything else instead of guessing.</remarks>
public sealed class FeaturePipeline
{
    private readonly IndicatorFrame _frame;
    private readonly int[] _slots;
    private readonly double[] _row;
    private long _lastOpenTime;
    private bool _started;

    /// <exception cref="ArgumentException">A feature name is not one of OHLCV or the settings' indicator columns.</exception>
    public FeaturePipeline(IndicatorSettings settings, IReadOnlyList<string> featureNames)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(featureNames);
        if (featureNames.Count == 0) throw new ArgumentException("At least one feature name is needed.", nameof(featureNames));

        _frame = new IndicatorFrame(settings);
        var slotByName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var slot = 0; slot < _frame.Columns.Count; slot++) slotByName.TryAdd(_frame.Columns[slot], slot);

        _slots = new int[featureNames.Count];
        for (var i = 0; i < featureNames.Count; i++)
        {
            var name = featureNames[i];
            if (!slotByName.TryGetValue(name, out _slots[i]))
            {
                throw new ArgumentException(
                    $"Unknown feature '{name}': these settings produce {string.Join(", ", _frame.Columns)}.", nameof(featureNames));
            }

            WarmupCandles = Math.Max(WarmupCandles, _frame.Lookback(_slots[i]));
        }

        FeatureNames = new ReadOnlyCollection<string>([.. featureNames]);
        _row = new double[_frame.Columns.Count];
    }

    public int FeatureCount => _slots.Length;

    /// <summary>The requested feature names, in output order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Candles consumed before the first complete feature vector: the vector of candle index
    /// <see cref="WarmupCandles"/> (0-based) is the first without NaN.</summary>
    public int WarmupCandles { get; }

    /// <summary>Feeds the next closed candle and writes its feature vector into <paramref name="features"/>
    /// (length <see cref="FeatureCount"/>), NaN for features still warming up.</summary>
    /// <returns>True when every feature is defined.</returns>
    public bool Update(in Candle candle, Span<double> features)
    {
        if (features.Length != _slots.Length)
            throw new ArgumentException($"Expected a span of {_slots.Length} features, got {features.Length}.", nameof(features));
        if (!candle.IsFinite)
            throw new ArgumentException($"Candle {candle.OpenTime} has a non-finite value; fill gaps before computing features.", nameof(candle));
        if (_started && candle.OpenTime <= _lastOpenTime)
            throw new ArgumentException($"Candle {candle.OpenTime} does not follow {_lastOpenTime}: open times must increase.", nameof(candle));
        _started = true;
        _lastOpenTime = candle.OpenTime;

        _frame.Update(candle, _row);
        var complete = true;
        for (var i = 0; i < _slots.Length; i++)
        {
            var value = _row[_slots[i]];
            features[i] = value;
            complete &= !double.IsNaN(value);
        }

        return complete;
    }
}
