using System.Threading.Channels;
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

    /// <summary>Builds and runs; <paramref name="adjust"/> can swap parts (policy, exchange) before the run.</summary>
    public async Task<SessionSummary> RunAsync(SessionOptions options, Func<SessionParts, SessionParts>? adjust = null, CancellationToken ct = default, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var channel = Channel.CreateUnbounded<SessionEvent>();
        await using var built = new SessionFactory(time).Create(options);
        var parts = adjust is null ? built.Parts : adjust(built.Parts);
        var summary = await Task.Run(() => new TradingSession(parts, time, channel.Writer, new Afml.Core.Risk.OperationRetry(time, delay: TimeSpan.Zero)).RunAsync(ct));
        channel.Writer.Complete();
        await foreach (var e in channel.Reader.ReadAllAsync(CancellationToken.None)) Events.Add(e);
        return summary;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
