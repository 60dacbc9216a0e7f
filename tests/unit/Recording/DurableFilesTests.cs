using Afml.Core;
using Afml.Core.Recording;

namespace Afml.Tests.Recording;

public class DurableFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("afml-durable-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteRegistro(int rows, bool durable = false)
    {
        using var w = RegistroWriter.Create(_dir, DateTimeOffset.Parse("2026-12-02T10:00:00+01:00", System.Globalization.CultureInfo.InvariantCulture), durable);
        for (var i = 1; i <= rows; i++)
            w.Write(new RegistroRow
            {
                Timestamp = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + i * 3600), Paso = i, Action = 0.25, Precio = 20_000.125 + i,
                Balance = 10_000, Equity = 10_000 + i, MaxDrawdown = 0.01, PnlTotal = 0, PosicionAbierta = false, Operacion = "mantener",
            });
        return w.Path;
    }

    [Theory]
    [InlineData(5)]   // cut inside the price
    [InlineData(40)]  // cut after several fields
    [InlineData(1)]   // only the first character of the row made it
    public void A_registro_whose_last_line_was_cut_is_read_without_that_row_and_with_a_warning(int keep)
    {
        var path = WriteRegistro(3);
        var lines = File.ReadAllLines(path);
        var cut = lines[3][..Math.Min(keep, lines[3].Length - 1)];
        File.WriteAllText(path, string.Join("\n", lines.Take(3)) + "\n" + cut); // no end of line: a crash mid-write

        var warnings = new List<string>();
        var rows = RegistroReader.Read(path, warnings.Add).ToList();

        Assert.Equal([1, 2], rows.Select(r => r.Paso));
        var warning = Assert.Single(warnings);
        Assert.True(warning.Contains("line 4", StringComparison.Ordinal), warning);
        Assert.Contains("cut", warning);
    }

    [Fact]
    public void A_complete_registro_gives_no_warning_and_a_bad_middle_row_is_still_an_error()
    {
        var path = WriteRegistro(3);
        var warnings = new List<string>();
        Assert.Equal(3, RegistroReader.Read(path, warnings.Add).Count());
        Assert.Empty(warnings);

        var lines = File.ReadAllLines(path);
        lines[2] = lines[2].Replace("20002.125", "20O02.125", StringComparison.Ordinal);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        var ex = Assert.Throws<AfmlException>(() => RegistroReader.Read(path).ToList());
        Assert.Equal("RegistroInvalid", ex.ErrorId);
    }

    [Fact]
    public void Registro_and_emergency_files_are_created_owner_only()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = WriteRegistro(1, durable: true);
        Assert.Equal(DurableFile.OwnerOnly, File.GetUnixFileMode(path));
        using var e = new EmergencyWriter(_dir, DateTimeOffset.Now);
        e.Write(new EmergencyRecord(DateTimeOffset.UtcNow, "r", 1, 1, 0, "d"));
        Assert.Equal(DurableFile.OwnerOnly, File.GetUnixFileMode(e.Path!));
    }

    [Fact]
    public void An_atomic_write_that_fails_leaves_no_temp_and_the_old_content()
    {
        var target = Path.Combine(_dir, "status.json");
        DurableFile.WriteAllTextAtomic(target, "old");
        // The target is a directory now: the rename fails after the temp was written.
        var blocked = Path.Combine(_dir, "blocked");
        Directory.CreateDirectory(blocked);
        Assert.ThrowsAny<IOException>(() => DurableFile.WriteAllTextAtomic(blocked, "new"));
        Assert.Equal("old", File.ReadAllText(target));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
        Assert.Equal(["status.json"], Directory.GetFiles(_dir).Select(Path.GetFileName));
        // Two writers never share a temp name.
        Parallel.For(0, 50, i => DurableFile.WriteAllTextAtomic(target, "v" + i));
        Assert.StartsWith("v", File.ReadAllText(target));
        Assert.Single(Directory.GetFiles(_dir));
    }
}
