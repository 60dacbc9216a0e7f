using System.Runtime.CompilerServices;
using Afml.Core.Agent;

namespace Afml.Tests;

internal static class TestSetup
{
    /// <summary>Tests that build an InferenceSession directly must not leave ORT telemetry in the CI user's home.</summary>
    [ModuleInitializer]
    internal static void DisableTelemetry() => NativeEnvironment.DisableOnnxRuntimeTelemetry();

    /// <summary>Session tests drive a fake venue from callbacks that wait synchronously (a row polled for, a stream
    /// awaited with GetResult) on thread-pool threads, while the session, the fake's Kestrel and our WebSocket readers need
    /// the same pool; on 2 cores under load the pool grew one thread every ~0.5–1 s, and a venue event's row waited that
    /// long (seen: 3.4 s on CI for an event recorded in 20 ms otherwise). Enough threads from the start, for the tests only: the
    /// product's session does not wait synchronously on pool threads.</summary>
    [ModuleInitializer]
    internal static void EnoughPoolThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), io);
    }
}
