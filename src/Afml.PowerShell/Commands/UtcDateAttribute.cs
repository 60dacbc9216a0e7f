using System.Globalization;
using System.Management.Automation;

namespace Afml.PowerShell.Commands;

/// <summary>
/// Reads a date parameter as UTC, whatever the machine's time zone and culture: a string without an offset
/// ("2025-01-01", "2025-01-01 06:00") and a DateTime of unspecified kind are UTC; a string or DateTimeOffset with an
/// offset keeps it; a local DateTime (Get-Date) is converted. Strings are parsed with the invariant culture
/// (ISO-8601), never the current one.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class UtcDateAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject pso ? pso.BaseObject : inputData;
        return value switch
        {
            null => null,
            DateTimeOffset d => d,
            DateTime { Kind: DateTimeKind.Local } d => new DateTimeOffset(d.ToUniversalTime(), TimeSpan.Zero),
            DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc), TimeSpan.Zero),
            string s when DateTimeOffset.TryParse(s.Trim(), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var d) => d,
            string s => throw new ArgumentTransformationMetadataException(
                $"'{s}' is not a date: use ISO-8601, e.g. 2025-01-01 or 2025-01-01T06:00:00Z (UTC unless an offset is given)."),
            _ => value,
        };
    }
}
