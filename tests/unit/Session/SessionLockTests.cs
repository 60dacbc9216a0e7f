using Afml.Core;
using Afml.Core.Session;

namespace Afml.Tests.Session;

public class SessionLockTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("afml-locks-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SessionLockHolder Holder(string id) => new(id, "train_x", Environment.ProcessId, DateTimeOffset.UtcNow, "/tmp/sesion.status.json");

    [Fact]
    public void A_second_session_on_the_same_account_and_symbol_is_refused_naming_the_first()
    {
        const string key = "api-key-0123456789-SECRET-LOOKING";
        var account = SessionLock.AccountHash(key);
        using var first = SessionLock.Acquire("binance-testnet|http://127.0.0.1:5000/", account, "BTCUSDT", Holder("20261202_101500"), _dir);

        var ex = Assert.Throws<AfmlException>(() => SessionLock.Acquire("binance-testnet|http://127.0.0.1:5000/", account, "btcusdt", Holder("20261202_101501"), _dir));
        Assert.Equal("SessionConflict", ex.ErrorId);
        Assert.Contains("20261202_101500", ex.Message);
        Assert.Contains($"process {Environment.ProcessId}", ex.Message);
        Assert.DoesNotContain(key, ex.Message);
        Assert.All(Directory.GetFiles(_dir, "*.json"), f => Assert.DoesNotContain(key, File.ReadAllText(f)));
        Assert.DoesNotContain(key, string.Join(",", Directory.GetFiles(_dir)));
    }

    [Fact]
    public void Other_symbols_accounts_and_venues_do_not_conflict_and_dispose_releases()
    {
        var a = SessionLock.AccountHash("key-a");
        using (SessionLock.Acquire("binance-testnet|x", a, "BTCUSDT", Holder("1"), _dir))
        {
            using var otherSymbol = SessionLock.Acquire("binance-testnet|x", a, "ETHUSDT", Holder("2"), _dir);
            using var otherAccount = SessionLock.Acquire("binance-testnet|x", SessionLock.AccountHash("key-b"), "BTCUSDT", Holder("3"), _dir);
            using var otherVenue = SessionLock.Acquire("binance|y", a, "BTCUSDT", Holder("4"), _dir);
        }
        using var again = SessionLock.Acquire("binance-testnet|x", a, "BTCUSDT", Holder("5"), _dir);
        Assert.Equal("5", SessionLock.ReadHolder(again.HolderPath)!.SessionId);
    }

    [Fact]
    public void The_lock_is_released_by_the_operating_system_when_the_holding_process_dies()
    {
        if (OperatingSystem.IsWindows()) return; // flock semantics checked on Unix; Windows releases share locks the same way
        // A child process takes the lock (flock via a shell) and is killed; the lock must then be free.
        var a = SessionLock.AccountHash("key-kill");
        var path = Path.Combine(_dir, SessionLock.KeyFor("v", a, "BTCUSDT") + ".lock");
        var psi = new System.Diagnostics.ProcessStartInfo("flock", ["-x", path, "sleep", "30"]) { UseShellExecute = false };
        System.Diagnostics.Process child;
        try { child = System.Diagnostics.Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception) { return; } // no flock(1) on this machine
        try
        {
            var refused = false;
            for (var i = 0; i < 200 && !refused; i++)
            {
                try { SessionLock.Acquire("v", a, "BTCUSDT", Holder("probe"), _dir).Dispose(); Thread.Sleep(10); }
                catch (AfmlException ex) when (ex.ErrorId == "SessionConflict") { refused = true; }
            }
            Assert.True(refused, "the child's lock was never seen");
        }
        finally
        {
            child.Kill(entireProcessTree: true);
            child.WaitForExit(10_000);
        }
        // The kill reaches flock(1) and its child (which inherited the descriptor) in turn: allow them a moment.
        SessionLock? mine = null;
        for (var i = 0; i < 100 && mine is null; i++)
        {
            try { mine = SessionLock.Acquire("v", a, "BTCUSDT", Holder("after"), _dir); }
            catch (AfmlException) { Thread.Sleep(50); }
        }
        Assert.NotNull(mine);
        mine.Dispose();
    }
}
