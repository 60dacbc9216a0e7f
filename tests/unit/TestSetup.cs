using System.Runtime.CompilerServices;
using Afml.Core.Agent;

namespace Afml.Tests;

internal static class TestSetup
{
    /// <summary>Tests that build an InferenceSession directly must not leave ORT telemetry in the CI user's home.</summary>
    [ModuleInitializer]
    internal static void DisableTelemetry() => NativeEnvironment.DisableOnnxRuntimeTelemetry();
}
