using System.Globalization;

namespace Afml.Tests.Agent;

/// <summary>A golden CSV in memory: header → column, empty field → NaN.</summary>
internal sealed class GoldenTable
{
    private readonly Dictionary<string, int> _columns;
    private readonly string[][] _rows;

    private GoldenTable(string[] header, string[][] rows)
    {
        _columns = header.Select((h, i) => (h, i)).ToDictionary(x => x.h, x => x.i);
        _rows = rows;
        Header = header;
    }

    public string[] Header { get; }
    public int Count => _rows.Length;

    public static GoldenTable Load(string path)
    {
        var lines = File.ReadAllLines(path);
        return new GoldenTable(lines[0].Split(','), lines.Skip(1).Select(l => l.Split(',')).ToArray());
    }

    public bool Has(string column) => _columns.ContainsKey(column);
    public string Text(int row, string column) => _rows[row][_columns[column]];
    public double Double(int row, string column)
    {
        var t = Text(row, column);
        return t.Length == 0 ? double.NaN : double.Parse(t, CultureInfo.InvariantCulture);
    }
    public long Long(int row, string column) => long.Parse(Text(row, column), CultureInfo.InvariantCulture);
}
