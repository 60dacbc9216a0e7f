using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Afml.Core.Configuration;

/// <summary>
/// Typed reads from a YAML mapping that fail with the file, the dotted key path and the line — the messages an
/// operator needs to fix a hand-edited <c>config_metadata.yaml</c>.
/// </summary>
internal sealed class YamlMap
{
    private readonly YamlMappingNode _node;
    private readonly string _file;
    private readonly string _path;

    public YamlMap(YamlMappingNode node, string file, string path)
    {
        _node = node;
        _file = file;
        _path = path;
    }

    public YamlMap Map(string key)
    {
        var node = Required(key);
        return node is YamlMappingNode m
            ? new YamlMap(m, _file, Qualified(key))
            : throw Invalid(key, node, "a mapping");
    }

    public string String(string key)
    {
        var s = Scalar(key);
        return string.IsNullOrWhiteSpace(s.Value) ? throw Invalid(key, s, "a non-empty text") : s.Value!;
    }

    public string? OptionalString(string key) => TryGet(key) is YamlScalarNode s ? s.Value : null;

    public int Int(string key)
    {
        var s = Scalar(key);
        return int.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw Invalid(key, s, "an integer");
    }

    public double Double(string key)
    {
        var s = Scalar(key);
        var text = s.Value ?? "";
        // YAML 1.1 floats as PyYAML writes them: 1.0e-05, .inf, .nan
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
            return v;
        throw Invalid(key, s, "a finite number");
    }

    public bool Bool(string key)
    {
        var s = Scalar(key);
        return s.Value?.ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw Invalid(key, s, "true or false"),
        };
    }

    public IReadOnlyList<int> OptionalIntList(string key)
    {
        if (TryGet(key) is not YamlSequenceNode seq) return [];
        var list = new List<int>();
        foreach (var item in seq)
        {
            if (item is not YamlScalarNode s || !int.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
                throw Invalid(key, item, "a list of integers");
            list.Add(v);
        }
        return list;
    }

    /// <summary>A positive number check with the key in the message.</summary>
    public double Positive(string key) => Check(key, Double(key), v => v > 0, "greater than 0");

    public int PositiveInt(string key) => (int)Check(key, Int(key), v => v > 0, "greater than 0");

    public double Check(string key, double value, Func<double, bool> ok, string rule) =>
        ok(value)
            ? value
            : throw new AfmlException("ConfigValueInvalid", AfmlErrorCategory.InvalidData,
                $"{_file}: '{Qualified(key)}' = {value.ToString(CultureInfo.InvariantCulture)} must be {rule} (line {Line(TryGet(key))}).",
                Qualified(key));

    private YamlNode? TryGet(string key) =>
        _node.Children.TryGetValue(new YamlScalarNode(key), out var n) ? n : null;

    private YamlNode Required(string key) =>
        TryGet(key) ?? throw new AfmlException("ConfigKeyMissing", AfmlErrorCategory.InvalidData,
            $"{_file}: key '{Qualified(key)}' is missing (section starts at line {_node.Start.Line}).", Qualified(key));

    private YamlScalarNode Scalar(string key) =>
        Required(key) as YamlScalarNode ?? throw Invalid(key, Required(key), "a single value");

    private AfmlException Invalid(string key, YamlNode node, string expected)
    {
        var shown = node is YamlScalarNode s ? $"'{s.Value}'" : node.NodeType.ToString().ToLowerInvariant();
        return new AfmlException("ConfigValueInvalid", AfmlErrorCategory.InvalidData,
            $"{_file}: '{Qualified(key)}' = {shown} is not {expected} (line {node.Start.Line}).", Qualified(key));
    }

    private static long Line(YamlNode? node) => node?.Start.Line ?? 0;

    private string Qualified(string key) => _path.Length == 0 ? key : _path + "." + key;
}
