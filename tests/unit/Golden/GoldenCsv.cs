using System.Globalization;
using System.Text;

namespace Afml.Tests.Golden;

/// <summary>A golden CSV in memory: one header row, comma separated, optional double-quoted fields; an empty field
/// is NaN for numbers and null otherwise.</summary>
public sealed class GoldenCsv
{
    private readonly Dictionary<string, int> _columns;
    private readonly List<string[]> _rows;

    private GoldenCsv(string[] header, List<string[]> rows)
    {
        Header = header;
        _columns = header.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i, StringComparer.Ordinal);
        _rows = rows;
    }

    /// <summary>Column names in file order.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>Data rows (the header excluded).</summary>
    public int RowCount => _rows.Count;

    /// <summary>Reads <paramref name="path"/>.</summary>
    public static GoldenCsv Load(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var header = ParseLine(reader.ReadLine() ?? throw new InvalidDataException($"{path} is empty."));
        var rows = new List<string[]>();
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            if (line.Length == 0) continue;
            var fields = ParseLine(line);
            if (fields.Length != header.Length)
                throw new InvalidDataException($"{path} row {rows.Count + 1}: {fields.Length} fields, header has {header.Length}.");
            rows.Add(fields);
        }
        return new GoldenCsv(header, rows);
    }

    /// <summary>True when the file has a column <paramref name="name"/>.</summary>
    public bool HasColumn(string name) => _columns.ContainsKey(name);

    /// <summary>Index of column <paramref name="name"/>.</summary>
    public int Column(string name) =>
        _columns.TryGetValue(name, out var i) ? i : throw new KeyNotFoundException($"No column '{name}'.");

    /// <summary>The raw field, null when empty.</summary>
    public string? Text(int row, string column)
    {
        var s = _rows[row][Column(column)];
        return s.Length == 0 ? null : s;
    }

    /// <summary>The field as a double (Python repr text round-trips exactly); NaN when empty.</summary>
    public double Double(int row, string column) =>
        Text(row, column) is { } s ? double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture) : double.NaN;

    /// <summary>The field as a double, null when empty.</summary>
    public double? NullableDouble(int row, string column) =>
        Text(row, column) is null ? null : Double(row, column);

    /// <summary>The field parsed as double and cast to float (exact for values the reference held as float32).</summary>
    public float Float(int row, string column) => (float)Double(row, column);

    /// <summary>The field as an integer (also accepts pandas' "3.0" form), null when empty.</summary>
    public long? Long(int row, string column) =>
        Text(row, column) is { } s
            ? long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
                ? v
                : checked((long)double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture))
            : null;

    /// <summary>The field as a boolean (<c>true</c>/<c>false</c>, any case), null when empty.</summary>
    public bool? Bool(int row, string column) =>
        Text(row, column) is { } s ? bool.Parse(s) : null;

    private static string[] ParseLine(string line)
    {
        if (!line.Contains('"')) return line.Split(',');
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return [.. fields];
    }
}
