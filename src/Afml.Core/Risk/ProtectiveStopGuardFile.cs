using System.Text.Json;
using Afml.Core.Recording;

namespace Afml.Core.Risk;

/// <summary>The protective stop a training left on the exchange: the content of <c>produccion/afml_stop.json</c>.</summary>
public sealed record ProtectiveStopGuard
{
    public required string ClientAlgoId { get; init; }
    public long? AlgoId { get; init; }
    public required string Venue { get; init; }
    public required string Symbol { get; init; }
    /// <summary>SELL (guards a long) or BUY (guards a short).</summary>
    public required string Side { get; init; }
    public decimal TriggerPrice { get; init; }
    /// <summary>"placing" while the answer is not known yet, "resting" once the venue has it.</summary>
    public required string State { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public string? SessionId { get; init; }
    public string? TrainId { get; init; }
    /// <summary>The account, as the session lock names it (<c>SessionLock.AccountHash</c>: a one-way hash of the API key,
    /// never the key); null in a file written before it was recorded.</summary>
    public string? Account { get; init; }
    /// <summary>The book's running peak equity when this stop was placed or adopted: the stop's price puts equity at
    /// this peak less <c>max_drawdown_permitido</c> (after fees and the slippage margin). Null in older files.</summary>
    public double? PeakEquity { get; init; }

    /// <summary>Recorded by a session of this venue and symbol (a guard file of another venue is left as it is).</summary>
    public bool IsFor(string venue, string symbol) =>
        string.Equals(Venue, venue, StringComparison.Ordinal) && string.Equals(Symbol, symbol, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The exchange-resident stop, made durable next to the HALTED latch (<see cref="TrainingHaltLatch"/>): written
/// (atomically, owner-only) before a stop is sent and when it rests, removed when the session cancels it. A later start
/// of the training reads it and looks the stop up: triggered while Afml was not running → the training is latched
/// HALTED; still resting → adopted.
/// </summary>
public sealed class ProtectiveStopGuardFile(string productionDir)
{
    public const string FileName = "afml_stop.json";

    private readonly DurableJsonFile<ProtectiveStopGuard> _file = new(System.IO.Path.Combine(productionDir, FileName));

    public string Path => _file.Path;

    /// <summary>The guard, or null when none is recorded. An unreadable file is an error: a stop may be out there.</summary>
    public ProtectiveStopGuard? Read()
    {
        try
        {
            return _file.Read();
        }
        catch (JsonException ex)
        {
            throw new AfmlException("ProtectiveStopGuardInvalid", AfmlErrorCategory.InvalidData,
                $"{Path}: the record of the protective stop left on the exchange is unreadable ({ex.Message}); check the account's open algo orders, then delete the file.", Path, ex);
        }
    }

    public void Write(ProtectiveStopGuard guard) => _file.Write(guard);

    /// <summary>A guard recorded by another account is not ours to adopt, cancel or clear: an error naming the file.
    /// A guard without a fingerprint (older file) is taken as the venue and symbol's.</summary>
    /// <exception cref="AfmlException">ProtectiveStopAccountMismatch.</exception>
    public void ThrowIfOtherAccount(ProtectiveStopGuard guard, string? account)
    {
        if (guard.Account is null || account is null || string.Equals(guard.Account, account, StringComparison.OrdinalIgnoreCase)) return;
        throw new AfmlException("ProtectiveStopAccountMismatch", AfmlErrorCategory.InvalidOperation,
            $"{Path}: the protective stop {guard.ClientAlgoId} it records was placed on {guard.Venue} {guard.Symbol} by another account (fingerprint {guard.Account}), not the one these credentials open ({account}); nothing was sent. Use that account's credentials, or check that account's open algo orders and then delete the file.", Path);
    }

    public void Delete() => _file.Delete();
}
