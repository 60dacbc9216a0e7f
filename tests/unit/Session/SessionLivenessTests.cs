using Afml.Core.Session;
using Microsoft.Extensions.Time.Testing;

namespace Afml.Tests.Session;

public class SessionLivenessTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-02T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly DateTimeOffset ProcessStart = Now.AddHours(-2);

    private sealed class Probe(Dictionary<int, DateTimeOffset?> table) : IProcessProbe
    {
        public (bool Exists, DateTimeOffset? StartedAt) Find(int processId) =>
            table.TryGetValue(processId, out var start) ? (true, start) : (false, null);
    }

    private static SessionStatus Status(string state = "Running", DateTimeOffset? heartbeat = null, DateTimeOffset? started = null) => new()
    {
        SessionId = "20261202_080000", TrainId = "t", Venue = "binance-testnet", Symbol = "BTCUSDT", ProcessId = 4242,
        State = state, TradingState = "ACTIVE", StartedAt = ProcessStart, UpdatedAt = Now.AddMinutes(-30), RegistroPath = "r.csv",
        ProcessStartedAt = started ?? ProcessStart, HeartbeatAt = heartbeat ?? Now.AddSeconds(-3), HeartbeatSeconds = 5,
        Position = "long", PositionQuantity = 0.5,
    };

    private static SessionLiveness Liveness(Dictionary<int, DateTimeOffset?> table) => new(new FakeTimeProvider(Now), new Probe(table));

    [Fact]
    public void Same_pid_same_start_fresh_heartbeat_is_alive_even_an_hour_after_the_last_step()
    {
        var l = Liveness(new() { [4242] = ProcessStart.AddMilliseconds(300) });
        Assert.Equal(LivenessVerdict.Alive, l.Check(Status()));
        Assert.Equal("Running", l.Resolve(Status()).State);
    }

    [Fact]
    public void A_gone_process_is_stale_and_keeps_the_position_it_left()
    {
        var s = Liveness([]).Resolve(Status());
        Assert.Equal(SessionState.Stale.ToText(), s.State);
        Assert.Equal("long", s.Position);
        Assert.Equal(0.5, s.PositionQuantity);
        Assert.Contains("4242", s.StopReason);
    }

    [Fact]
    public void A_reused_pid_is_not_the_session()
    {
        var l = Liveness(new() { [4242] = Now.AddMinutes(-1) });
        Assert.Equal(LivenessVerdict.PidReused, l.Check(Status()));
        Assert.Equal(SessionState.Stale.ToText(), l.Resolve(Status()).State);
    }

    [Theory]
    [InlineData(14, LivenessVerdict.Alive)]     // period 5 s + margin 10 s
    [InlineData(16, LivenessVerdict.HeartbeatStale)]
    public void A_heartbeat_older_than_period_plus_margin_is_stale(int ageSeconds, LivenessVerdict expected)
    {
        var l = Liveness(new() { [4242] = ProcessStart });
        Assert.Equal(expected, l.Check(Status(heartbeat: Now.AddSeconds(-ageSeconds))));
    }

    [Fact]
    public void Finished_sessions_are_left_as_they_are()
    {
        var l = Liveness([]);
        Assert.Equal(LivenessVerdict.Finished, l.Check(Status("Stopped")));
        Assert.Equal("Stopped", l.Resolve(Status("Stopped")).State);
    }

    [Fact]
    public void The_status_file_stamps_process_identity_heartbeat_and_venue_and_touch_refreshes_the_heartbeat()
    {
        var dir = Directory.CreateTempSubdirectory("afml-status-").FullName;
        try
        {
            var time = new FakeTimeProvider(Now);
            var file = new SessionStatusFile(Path.Combine(dir, "sesion_x.status.json"), time) { VenueKind = VenueKind.Testnet, Endpoint = "http://127.0.0.1:1/" };
            file.Write(Status() with { ProcessId = 1, HeartbeatAt = null, ProcessStartedAt = null });
            var read = SessionStatusFile.Read(file.Path);
            Assert.Equal(Environment.ProcessId, read.ProcessId);
            Assert.Equal(ProcessIdentity.Current().StartedAt, read.ProcessStartedAt);
            Assert.Equal(Now, read.HeartbeatAt);
            Assert.Equal("Testnet", read.VenueKind);
            Assert.Equal("http://127.0.0.1:1/", read.Endpoint);
            Assert.Equal(file.Path, read.StatusPath);

            using (new StatusHeartbeat(file, time))
            {
                time.Advance(TimeSpan.FromSeconds(5));
                Assert.Equal(Now.AddSeconds(5), SessionStatusFile.Read(file.Path).HeartbeatAt);
                file.Write(SessionStatusFile.Read(file.Path) with { State = "Stopped" });
                time.Advance(TimeSpan.FromSeconds(5));
                Assert.Equal(Now.AddSeconds(5), SessionStatusFile.Read(file.Path).HeartbeatAt); // a stopped session has no heartbeat
            }
            // This very process is alive by the real rule.
            Assert.Equal(LivenessVerdict.Alive, new SessionLiveness(time, new SystemProcessProbe()).Check(read));
            Assert.Single(Directory.GetFiles(dir)); // no temp left behind
        }
        finally { Directory.Delete(dir, true); }
    }
}
