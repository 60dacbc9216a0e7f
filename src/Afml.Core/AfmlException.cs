namespace Afml.Core;

/// <summary>
/// An expected failure the operator can act on (bad file, bad key, missing credentials...). <see cref="ErrorId"/>
/// is stable: the PowerShell layer turns it into the ErrorRecord's id, and scripts match on it.
/// </summary>
public class AfmlException : Exception
{
    public AfmlException(string errorId, AfmlErrorCategory category, string message, string? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Category = category;
        Target = target;
    }

    /// <summary>Stable identifier, e.g. <c>ConfigKeyMissing</c>.</summary>
    public string ErrorId { get; }

    public AfmlErrorCategory Category { get; }

    /// <summary>The file, key or value the error is about.</summary>
    public string? Target { get; }
}

/// <summary>Mirrors the PowerShell error categories we use, without referencing PowerShell.</summary>
public enum AfmlErrorCategory
{
    NotSpecified,
    ObjectNotFound,
    InvalidData,
    InvalidArgument,
    InvalidOperation,
    AuthenticationError,
    ConnectionError,
    OperationStopped,
    SecurityError,
}
