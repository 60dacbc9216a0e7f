using System.Management.Automation;
using Afml.Core;
using Afml.Core.Recording;
using Afml.Core.Session;

namespace Afml.PowerShell.Commands;

/// <summary>How a session's end reads to a script: a clean end (completion, -MaxSteps, Ctrl+C, a signal, an
/// operator's stop, Stop-Job) is no error; an end in the emergency protocol is the error record
/// <c>SessionHalted</c>, and a fault of a part that ended the session (through the protocol) is <c>SessionFailed</c>.
/// Written after the summary, so <c>pwsh -Command</c> exits 1 and <c>$?</c> is false, while the summary is still
/// returned (and is the record's TargetObject, for a caller that stops on errors).</summary>
public static class SessionOutcome
{
    public const string HaltedId = "SessionHalted";
    public const string FailedId = "SessionFailed";

    /// <summary>The stop detail of a session ended by a fault of one of its parts (see SessionHost).</summary>
    private const string FaultPrefix = "fallo_interno";

    public static ErrorRecord? ErrorFor(SessionSummary summary)
    {
        if (summary.StopReason != SessionStopReason.Emergency) return null;
        var failed = summary.StopDetail?.StartsWith(FaultPrefix, StringComparison.Ordinal) == true;
        var what = failed ? "failed (a fault ended it through the emergency protocol)" : "ended in the emergency protocol";
        var message = $"Session of '{summary.TrainId}' on {summary.Venue} {what} after {summary.Steps} step(s): {summary.StopDetail}. " +
                      $"Trading state {summary.TradingState}; registro {summary.RegistroPath}" +
                      (summary.EmergencyPath is null ? "." : $", emergencias {summary.EmergencyPath}.");
        var ex = new AfmlException(failed ? FailedId : HaltedId, AfmlErrorCategory.OperationStopped, message, summary.TrainId);
        return new ErrorRecord(ex, ex.ErrorId, ErrorCategory.OperationStopped, summary);
    }

    /// <summary>A step's row as Import-AfmlRegistro gives it: stamped with its session and file.</summary>
    public static RegistroRow Row(SessionStep step, string sessionId, string registroPath) =>
        step.Row with { SessionId = sessionId, SourcePath = registroPath };
}
