using System.Diagnostics;
using System.Text.Json;

namespace Afml.Core.Session;

/// <summary>
/// Requests from another shell to a running session, as a file next to its status file
/// (<c>sesion_&lt;id&gt;.control.json</c>). The session takes it at its next step and deletes it.
/// </summary>
public sealed record ControlRequest(string Command, string Reason, DateTimeOffset RequestedAt, string RequestedBy)
{
    public const string Emergency = "emergency";
}

public static class SessionControl
{
    public static string ControlPathFor(string statusPath) =>
        statusPath.EndsWith(".status.json", StringComparison.Ordinal)
            ? statusPath[..^".status.json".Length] + ".control.json"
            : statusPath + ".control.json";

    public static void Request(string statusPath, ControlRequest request)
    {
        var path = ControlPathFor(statusPath);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(request));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Takes (reads and removes) a pending request, if any.</summary>
    public static ControlRequest? Take(string statusPath)
    {
        var path = ControlPathFor(statusPath);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<ControlRequest>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return new ControlRequest(ControlRequest.Emergency, "control file unreadable: treated as an emergency request", DateTimeOffset.UtcNow, "unknown");
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>A status that says Running but whose process is gone is reported as Stopped (crashed or killed).</summary>
public static class SessionStatusLiveness
{
    public static SessionStatus Resolve(SessionStatus s)
    {
        if (s.State != "Running" && s.State != "Starting") return s;
        if (IsAlive(s.ProcessId)) return s;
        return s with { State = "Stopped", StopReason = s.StopReason ?? "process exited without closing the session" };
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
