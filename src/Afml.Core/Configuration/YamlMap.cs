using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Afml.Core.Configuration;

/// <summary>
/// Typed reads from a YAML mapping that record a problem naming the file, the dotted key path and the line — the
/// messages an operator needs to fix a hand-edited <c>config_metadata.yaml</c> — and go on with a placeholder, so
/// one pass finds every problem in the file (<see cref="Problems"/>). A section that is missing or not a mapping is
/// reported once; reads inside it are silent.
/// </summary>
internal sealed class YamlMap
{
    private readonly YamlMappingNode? _node;
    private readonly string _file;
    private readonly string _path;
    private readonly List<AfmlException> _problems;

    public YamlMap(YamlMappingNode node, string file, string path)
        : this(node, file, path, []) { }

    private YamlMap(YamlMappingNode? node, string file, string path, List<AfmlException> problems)
    {
        _node = node;
        _file = file;
        _path = path;
        _problems = problems;
    }

    /// <summary>Every problem found so far by this map and the maps it handed out, in the order found.</summary>
    public IReadOnlyList<AfmlException> Problems => _problems;

    /// <summary>False when this section was missing or not a mapping (already reported).</summary>
    public bool Present => _node is not null;

    /// <summary>The keys of this section, with their lines.</summary>
    public IEnumerable<(string Key, long Line)> Keys =>
        _node is null ? [] : _node.Children.Keys.OfType<YamlScalarNode>().Select(k => (k.Value ?? "", (long)k.Start.Line));

    public YamlMap Map(string key)
    {
        var node = Required(key);
        if (node is YamlMappingNode m) return new YamlMap(m, _file, Qualified(key), _problems);
        if (node is not null) Report(Invalid(key, node, "a mapping"));
        return new YamlMap(null, _file, Qualified(key), _problems);
    }

    /// <summary>A section that may be absent or of another shape (informational sections): null then, no problem.</summary>
    public YamlMap? OptionalMap(string key) =>
        TryGet(key) is YamlMappingNode m ? new YamlMap(m, _file, Qualified(key), _problems) : null;

    public string String(string key)
    {
        if (Scalar(key) is not { } s) return "";
        return string.IsNullOrWhiteSpace(s.Value) ? Report(Invalid(key, s, "a non-empty text"), "") : s.Value!;
    }

    public string? OptionalString(string key) => TryGet(key) is YamlScalarNode s ? s.Value : null;

    public int Int(string key)
    {
        if (Scalar(key) is not { } s) return 1;
        return int.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v
            : Report(Invalid(key, s, "an integer"), 1);
    }

    public double Double(string key)
    {
        if (Scalar(key) is not { } s) return 1;
        var text = s.Value ?? "";
        // YAML 1.1 floats as PyYAML writes them: 1.0e-05, .inf, .nan
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
            return v;
        return Report(Invalid(key, s, "a finite number"), 1.0);
    }

    public bool Bool(string key)
    {
        if (Scalar(key) is not { } s) return false;
        return s.Value?.ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => Report(Invalid(key, s, "true or false"), false),
        };
    }

    public IReadOnlyList<int> OptionalIntList(string key)
    {
        if (TryGet(key) is not YamlSequenceNode seq) return [];
        var list = new List<int>();
        foreach (var item in seq)
        {
            if (item is not YamlScalarNode s || !int.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
                return Report(Invalid(key, item, "a list of integers"), (IReadOnlyList<int>)[]);
            list.Add(v);
        }
        return list;
    }

    /// <summary>A positive number check with the key in the message.</summary>
    public double Positive(string key) => Check(key, Double(key), v => v > 0, "greater than 0");

    public int PositiveInt(string key) => (int)Check(key, Int(key), v => v > 0, "greater than 0");

    /// <summary>Records a <c>ConfigValueInvalid</c> when <paramref name="ok"/> fails; returns the value either way.</summary>
    public double Check(string key, double value, Func<double, bool> ok, string rule)
    {
        if (!ok(value) && !AlreadyReported(key))
            Report(new AfmlException("ConfigValueInvalid", AfmlErrorCategory.InvalidData,
                $"{_file}: '{Qualified(key)}' = {value.ToString(CultureInfo.InvariantCulture)} must be {rule} (line {Line(TryGet(key))}).",
                Qualified(key)));
        return value;
    }

    /// <summary>Records a <c>ConfigValueInvalid</c> for a text value that breaks <paramref name="rule"/>.</summary>
    public void Invalid(string key, string rule)
    {
        if (TryGet(key) is { } node && !AlreadyReported(key)) Report(Invalid(key, node, rule));
    }

    /// <summary>Records a problem found by the caller.</summary>
    public void Report(AfmlException problem) => _problems.Add(problem);

    public string File => _file;

    public string Qualified(string key) => _path.Length == 0 ? key : _path + "." + key;

    public long LineOf(string key) => Line(TryGet(key));

    /// <summary>True when reading <paramref name="key"/> already failed (its placeholder is not checked again).</summary>
    private bool AlreadyReported(string key) => _problems.Any(p => p.Target == Qualified(key));

    private T Report<T>(AfmlException problem, T placeholder)
    {
        _problems.Add(problem);
        return placeholder;
    }

    private YamlNode? TryGet(string key) =>
        _node is not null && _node.Children.TryGetValue(new YamlScalarNode(key), out var n) ? n : null;

    private YamlNode? Required(string key)
    {
        if (_node is null) return null;
        if (TryGet(key) is { } n) return n;
        Report(new AfmlException("ConfigKeyMissing", AfmlErrorCategory.InvalidData,
            $"{_file}: key '{Qualified(key)}' is missing (section starts at line {_node.Start.Line}).", Qualified(key)));
        return null;
    }

    private YamlScalarNode? Scalar(string key)
    {
        var node = Required(key);
        if (node is null or YamlScalarNode) return node as YamlScalarNode;
        Report(Invalid(key, node, "a single value"));
        return null;
    }

    private AfmlException Invalid(string key, YamlNode node, string expected)
    {
        var shown = node is YamlScalarNode s ? $"'{s.Value}'" : node.NodeType.ToString().ToLowerInvariant();
        return new AfmlException("ConfigValueInvalid", AfmlErrorCategory.InvalidData,
            $"{_file}: '{Qualified(key)}' = {shown} is not {expected} (line {node.Start.Line}).", Qualified(key));
    }

    private static long Line(YamlNode? node) => node?.Start.Line ?? 0;
}
