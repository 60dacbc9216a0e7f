using Afml.Core.Configuration;

namespace Afml.Core.Session;

/// <summary>The operator's own arguments, checked before any file is read or written: the train id (through
/// <see cref="TrainingFolder.ValidateTrainId"/>) and an <c>-Endpoint</c> that must be an absolute http(s) address.</summary>
public static class SessionOptionsValidator
{
    public static void Validate(SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        TrainingFolder.ValidateTrainId(options.TrainId);
        options.Binance?.Validate();
        if (options.MaxSteps is <= 0)
            throw new AfmlException("MaxStepsInvalid", AfmlErrorCategory.InvalidArgument, $"-MaxSteps {options.MaxSteps} must be at least 1.", "MaxSteps");
    }
}
