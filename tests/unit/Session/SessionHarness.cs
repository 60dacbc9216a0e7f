using Afml.Core.Risk;
using Afml.Core.Session;

namespace Afml.Tests.Session;

/// <summary>Runs a session in-process on a private copy of a training folder.</summary>
internal sealed class SessionHarness : IDisposable
{
    public SessionHarness(string sourceTrainingDir)
    {
        Root = Directory.CreateTempSubdirectory("afml-session-").FullName;
        TrainId = Path.GetFileName(sourceTrainingDir.TrimEnd('/'));
        var target = Path.Combine(Root, TrainId);
        Directory.CreateDirectory(Path.Combine(target, "modelos"));
        foreach (var f in new[] { "config_metadata.yaml", "scaler_train.json", "scaler_train.pkl" })
            if (File.Exists(Path.Combine(sourceTrainingDir, f))) File.Copy(Path.Combine(sourceTrainingDir, f), Path.Combine(target, f));
        foreach (var f in Directory.EnumerateFiles(Path.Combine(sourceTrainingDir, "modelos")))
            File.Copy(f, Path.Combine(target, "modelos", Path.GetFileName(f)));
    }

    public string Root { get; }
    public string TrainId { get; }
    public string TrainingDir => Path.Combine(Root, TrainId);
    public List<SessionEvent> Events { get; } = [];

    public SessionOptions Options(string replay) => new() { TrainId = TrainId, TrainingRoot = Root, ReplayPath = replay };

    /// <summary>The host options every in-process run uses: retries that do not wait.</summary>
    public static SessionHostOptions HostOptions(TimeProvider time, Func<SessionParts, SessionParts>? adjust = null) => new()
    {
        Time = time,
        Adjust = adjust,
        Retry = new OperationRetry(time, delay: TimeSpan.Zero),
        StateRetry = OperationRetry.StateReads(time, TimeSpan.Zero),
    };

    /// <summary>Builds and runs through the <see cref="SessionHost"/>, as the cmdlet does; <paramref name="adjust"/>
    /// can swap parts (policy, exchange) before the run; <paramref name="ct"/> is Ctrl+C.</summary>
    public async Task<SessionSummary> RunAsync(SessionOptions options, Func<SessionParts, SessionParts>? adjust = null, CancellationToken ct = default,
        TimeProvider? time = null, Func<SessionHostOptions, SessionHostOptions>? host = null, Action<SessionHost>? started = null)
    {
        time ??= TimeProvider.System;
        var hostOptions = HostOptions(time, adjust);
        await using var session = SessionHost.Start(options, host?.Invoke(hostOptions) ?? hostOptions);
        using var stop = ct.Register(() => session.Stop());
        started?.Invoke(session);
        var drain = Task.Run(async () =>
        {
            await foreach (var e in session.Events.ReadAllAsync(CancellationToken.None)) lock (Events) Events.Add(e);
        });
        try
        {
            return await session.Completion;
        }
        finally
        {
            await drain;
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
