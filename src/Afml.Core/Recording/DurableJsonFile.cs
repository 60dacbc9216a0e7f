using System.Text.Json;
using System.Text.Json.Serialization;

namespace Afml.Core.Recording;

/// <summary>
/// One small JSON record in one file under a training's <c>produccion/</c> (the HALTED latch, the protective stop left on
/// the exchange): snake_case keys, written atomically and owner-only (<see cref="DurableFile"/>), so a crash never leaves
/// half a record and another user never reads it.
/// </summary>
public sealed class DurableJsonFile<T>(string path) where T : class
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Path { get; } = path;

    public bool Exists => File.Exists(Path);

    /// <summary>The record, or null when there is no file; a <see cref="JsonException"/> when the file is not one.</summary>
    public T? Read()
    {
        string text;
        try { text = File.ReadAllText(Path); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        return JsonSerializer.Deserialize<T>(text, Json) ?? throw new JsonException("empty document");
    }

    /// <summary>Writes (or replaces) the record atomically.</summary>
    public void Write(T record)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        DurableFile.WriteAllTextAtomic(Path, JsonSerializer.Serialize(record, Json));
    }

    public void Delete()
    {
        try { File.Delete(Path); }
        catch (DirectoryNotFoundException) { }
    }
}
