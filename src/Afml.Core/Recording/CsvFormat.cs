using System.Globalization;

namespace Afml.Core.Recording;

/// <summary>How values are written so that <c>pandas.read_csv</c> reads them as the Python system's files:
/// invariant culture, shortest round-trip doubles, <c>True</c>/<c>False</c>, ISO-8601 UTC, empty for null.</summary>
internal static class CsvFormat
{
    public static string Number(double value) =>
        double.IsNaN(value) ? "" : value.ToString("R", CultureInfo.InvariantCulture);

    public static string Number(double? value) => value is { } v ? Number(v) : "";

    public static string Integer(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    public static string Bool(bool? value) => value switch { true => "True", false => "False", null => "" };

    public static string Time(DateTimeOffset? value) =>
        value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "";

    /// <summary><c>registro_YYYYMMDD_HHMMSS.csv</c>-style stamp from the session's local start time, as Python's
    /// <c>datetime.now().strftime('%Y%m%d_%H%M%S')</c>.</summary>
    public static string FileStamp(DateTimeOffset localTime) => localTime.ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture);
}
