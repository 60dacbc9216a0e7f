using Afml.Core;
using Afml.Core.Risk;

namespace Afml.Tests.Risk;

public class TrainingHaltLatchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("afml-latch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static HaltRecord Halt => new()
    {
        HaltedAt = DateTimeOffset.Parse("2026-12-02T10:15:30Z", System.Globalization.CultureInfo.InvariantCulture),
        Reason = "max_drawdown_excedido: 0.21 > 0.20",
        SessionId = "20261202_101500",
        EmergencyState = EmergencyStates.Incomplete,
        StillOpen = "posición BTCUSDT +0.5 abierta",
    };

    [Fact]
    public void A_training_without_a_latch_is_not_halted()
    {
        var latch = new TrainingHaltLatch(Path.Combine(_dir, "produccion"));
        Assert.False(latch.IsHalted);
        Assert.Null(latch.Read());
        latch.ThrowIfHalted("t1"); // no throw
        Assert.Null(latch.Clear());
    }

    [Fact]
    public void A_written_latch_survives_a_new_instance_and_refuses_with_TrainingHalted_naming_when_and_why()
    {
        var prod = Path.Combine(_dir, "produccion");
        new TrainingHaltLatch(prod).Write(Halt);

        var other = new TrainingHaltLatch(prod); // as another process would see it
        var ex = Assert.Throws<AfmlException>(() => other.ThrowIfHalted("t1"));
        Assert.Equal("TrainingHalted", ex.ErrorId);
        Assert.Contains("2026-12-02 10:15:30Z", ex.Message);
        Assert.Contains("max_drawdown_excedido", ex.Message);
        Assert.Contains("20261202_101500", ex.Message);
        Assert.Contains("EMERGENCY_INCOMPLETE", ex.Message);
        Assert.Contains("Reset-AfmlEmergency -TrainId t1", ex.Message);
        Assert.Equal(Halt, other.Read());
        Assert.Empty(Directory.GetFiles(prod, "*.tmp", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(prod, ".*"));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(other.Path));

        Assert.Equal(Halt, other.Clear());
        Assert.False(other.IsHalted);
        other.ThrowIfHalted("t1");
    }

    [Fact]
    public void An_unreadable_latch_still_halts()
    {
        var prod = Path.Combine(_dir, "produccion");
        Directory.CreateDirectory(prod);
        File.WriteAllText(Path.Combine(prod, TrainingHaltLatch.FileName), "{ not json");
        var ex = Assert.Throws<AfmlException>(() => new TrainingHaltLatch(prod).ThrowIfHalted("t1"));
        Assert.Equal("TrainingHalted", ex.ErrorId);
        Assert.Contains("unreadable", ex.Message);
    }
}
