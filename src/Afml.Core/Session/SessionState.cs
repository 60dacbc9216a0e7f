namespace Afml.Core.Session;

/// <summary>A session's lifetime as its status file shows it (<c>state</c>).</summary>
public enum SessionState
{
    /// <summary>Built; loading history, checking the venue.</summary>
    Starting,
    /// <summary>Deciding on each closed candle (or waiting for the next one).</summary>
    Running,
    /// <summary>Ended, for whatever reason (the status's stop reason says which).</summary>
    Stopped,
    /// <summary>Never started trading (a refused start: capital, credentials, leverage...).</summary>
    Failed,
}

/// <summary>What another shell can ask a running session (<c>sesion_*.control.json</c>'s <c>Command</c>).</summary>
public enum ControlCommand
{
    /// <summary>Run the emergency protocol now: cancel, close, halt.</summary>
    Emergency,
    /// <summary>Stop cleanly, as Ctrl+C would (the position stays unless -FlattenOnStop).</summary>
    Stop,
}

/// <summary>The on-disk spelling of <see cref="SessionState"/> and <see cref="ControlCommand"/> (the status file and
/// the control file keep the strings they always had).</summary>
public static class SessionStateText
{
    public static string ToText(this SessionState state) => state.ToString();

    /// <summary>The state a status file's <c>state</c> names; null for a spelling this version does not know.</summary>
    public static SessionState? ParseState(string? text) =>
        Enum.TryParse<SessionState>(text, ignoreCase: true, out var s) && Enum.IsDefined(s) ? s : null;

    /// <summary>The state of <paramref name="status"/> as an enum (null when unknown).</summary>
    public static SessionState? StateOf(this SessionStatus status) => ParseState(status.State);

    public static string ToText(this ControlCommand command) => command.ToString().ToLowerInvariant();

    /// <summary>The command a control file names; null for anything else (logged and ignored by the session).</summary>
    public static ControlCommand? ParseCommand(string? text) =>
        Enum.TryParse<ControlCommand>(text, ignoreCase: true, out var c) && Enum.IsDefined(c) && !int.TryParse(text, out _) ? c : null;
}
