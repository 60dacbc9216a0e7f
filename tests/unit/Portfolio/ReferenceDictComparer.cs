using System.Globalization;
using Afml.Tests.Golden;

namespace Afml.Tests.Portfolio;

/// <summary>Compares a C# value with a field the reference wrote (CSV text), exactly: strings equal, booleans and
/// integers by value (pandas' "3.0" and "True" accepted), doubles bit for bit, null = empty field; <c>error</c>
/// texts by their prefix before ':'.</summary>
internal static class ReferenceDictComparer
{
    public static void Compare(GoldenCsv csv, int row, string column, object? actual, List<string> mismatches)
    {
        var text = csv.Text(row, column);
        var ok = actual switch
        {
            null => text is null,
            string s when column.EndsWith("error", StringComparison.Ordinal) => text is not null && Prefix(s) == Prefix(text),
            string s => s == text,
            bool b => csv.Bool(row, column) == b,
            int i => csv.Long(row, column) == i,
            long l => csv.Long(row, column) == l,
            double d => text is not null && csv.Double(row, column).Equals(d),
            _ => false,
        };
        if (!ok)
            mismatches.Add($"row {row} {column}: expected '{text}', got '{Format(actual)}'{RelativeDiff(text, actual)}");
    }

    private static string Prefix(string error) => error.Split(':')[0];

    private static string RelativeDiff(string? expected, object? actual)
    {
        if (actual is not double d || expected is null) return "";
        var e = double.Parse(expected, CultureInfo.InvariantCulture);
        return $" (rel {Math.Abs(d - e) / Math.Max(Math.Abs(e), double.Epsilon):G3})";
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
