namespace Afml.Core.Recording;

/// <summary>One row of <c>emergencias_*.csv</c>.</summary>
public sealed record EmergencyRecord(
    DateTimeOffset Timestamp,
    string Razon,
    double BalanceFinal,
    double EquityFinal,
    int PosicionesCerradas,
    string Detalles);

/// <summary>Writes <c>produccion/emergencias_YYYYMMDD_HHMMSS.csv</c>; the file is created with the first event,
/// so a quiet session leaves no empty emergency file behind.</summary>
public sealed class EmergencyWriter : IDisposable
{
    public static readonly IReadOnlyList<string> Columns =
        ["timestamp", "razon", "balance_final", "equity_final", "posiciones_cerradas", "detalles"];

    private readonly string _directory;
    private readonly string _baseName;
    private CsvRecordFile? _file;

    public EmergencyWriter(string productionDir, DateTimeOffset startedLocal)
    {
        _directory = productionDir;
        _baseName = "emergencias_" + CsvFormat.FileStamp(startedLocal);
    }

    /// <summary>The file, once an event has been written.</summary>
    public string? Path => _file?.Path;

    public void Write(EmergencyRecord e)
    {
        _file ??= CsvRecordFile.Create(_directory, _baseName, Columns, durable: true); // rare and vital: always forced to the disk
        _file.WriteRow(
        [
            CsvFormat.Time(e.Timestamp), e.Razon, CsvFormat.Number(e.BalanceFinal), CsvFormat.Number(e.EquityFinal),
            CsvFormat.Integer(e.PosicionesCerradas), e.Detalles,
        ]);
    }

    public void Dispose() => _file?.Dispose();
}
