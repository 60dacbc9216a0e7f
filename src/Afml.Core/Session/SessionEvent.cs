using Afml.Core.Recording;

namespace Afml.Core.Session;

public enum SessionLogLevel { Debug, Info, Warning, Error }

/// <summary>What the engine publishes while it runs; the PowerShell layer drains these on the pipeline thread.</summary>
public abstract record SessionEvent(DateTimeOffset Time);

/// <summary>A console log line, worded as the Python system's (<c>📊 PASO 42 - …</c>).</summary>
public sealed record SessionLog(DateTimeOffset Time, SessionLogLevel Level, string Message) : SessionEvent(Time)
{
    public override string ToString() => $"{Level.ToString().ToUpperInvariant()} - {Message}";
}

/// <summary>One completed step (the registro row just written) and progress when the end is known.</summary>
public sealed record SessionStep(DateTimeOffset Time, RegistroRow Row, int Completed, int? Total) : SessionEvent(Time);
