namespace Afml.Core.Agent.Pickle;

/// <summary>A malformed or unsupported pickle; the reader turns it into an <see cref="AfmlException"/> naming the file.</summary>
public sealed class PickleFormatException(string message) : Exception(message);
