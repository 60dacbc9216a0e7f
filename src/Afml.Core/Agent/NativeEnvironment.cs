using System.Runtime.InteropServices;

namespace Afml.Core.Agent;

/// <summary>
/// Sets variables in the <em>native</em> process environment. On Linux and macOS .NET keeps its own copy of the
/// environment, so <see cref="Environment.SetEnvironmentVariable(string, string)"/> is invisible to a native
/// library's <c>getenv</c>; OnnxRuntime reads <c>ORT_DISABLE_TELEMETRY</c> that way.
/// </summary>
public static partial class NativeEnvironment
{
    /// <summary>Turns OnnxRuntime telemetry off; must run before the native library first loads.</summary>
    public static void DisableOnnxRuntimeTelemetry() => Set("ORT_DISABLE_TELEMETRY", "1");

    public static void Set(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (!OperatingSystem.IsWindows())
            _ = setenv(name, value, 1);
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
