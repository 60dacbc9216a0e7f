using System.Security.Cryptography;

namespace Afml.Core.Agent.Sb3;

/// <summary>
/// Converts <c>modelos/modelo.zip</c> to an ONNX actor cached beside it as <c>modelo.zip.onnx</c> (a name that is
/// not mistaken for a user's own <c>modelo.onnx</c> export), with <c>modelo.zip.onnx.sha256</c> recording the zip's
/// SHA-256 and the converter version, so a changed zip or converter rebuilds it. Writes are temp file + rename.
/// When the training folder is read-only the cache goes to the user's own data folder (never a shared temp folder,
/// where another account could plant a model with a matching fingerprint), keyed by the SHA-256.
/// </summary>
public static class ModelZipConverter
{
    /// <summary>Bumped whenever the ONNX we write for the same zip would change.</summary>
    public const int ConverterVersion = 1;

    public static string CachePath(string zipPath) => zipPath + ".onnx";

    public static string FingerprintPath(string zipPath) => zipPath + ".onnx.sha256";

    /// <summary>Returns an up-to-date ONNX for <paramref name="zipPath"/>, converting when needed (or always with
    /// <paramref name="force"/>).</summary>
    public static ModelConversion Convert(string zipPath, bool force = false)
    {
        if (!File.Exists(zipPath))
            throw new AfmlException("ModelNotFound", AfmlErrorCategory.ObjectNotFound, $"Modelo no encontrado: '{zipPath}' does not exist.", zipPath);
        var bytes = File.ReadAllBytes(zipPath);
        var sha = System.Convert.ToHexStringLower(SHA256.HashData(bytes));
        var fingerprint = $"sha256={sha} converter={ConverterVersion}";
        var candidates = new[] { (Onnx: CachePath(zipPath), Stamp: FingerprintPath(zipPath)), FallbackPaths(sha) };
        if (!force)
        {
            foreach (var (onnx, stamp) in candidates)
                if (File.Exists(onnx) && File.Exists(stamp) && File.ReadAllText(stamp).Trim() == fingerprint)
                    return new ModelConversion(zipPath, onnx, sha, Rebuilt: false);
        }
        var network = Sb3ModelReader.Read(bytes, zipPath);
        var model = OnnxActorWriter.Write(network, new Dictionary<string, string>
        {
            ["afml.source"] = Path.GetFileName(zipPath),
            ["afml.source_sha256"] = sha,
            ["afml.converter_version"] = ConverterVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        foreach (var (onnx, stamp) in candidates)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(onnx)!);
                WriteAtomic(onnx, model);
                WriteAtomic(stamp, System.Text.Encoding.ASCII.GetBytes(fingerprint + "\n"));
                return new ModelConversion(zipPath, onnx, sha, Rebuilt: true);
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                // read-only training folder: try the next location
            }
        }
        throw new AfmlException("ModelCacheNotWritable", AfmlErrorCategory.InvalidOperation,
            $"Cannot write the ONNX converted from '{zipPath}' beside it ('{CachePath(zipPath)}') nor under the user's data folder.", zipPath);
    }

    private static (string Onnx, string Stamp) FallbackPaths(string sha)
    {
        var dir = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "Afml", "onnx-cache");
        return (Path.Combine(dir, sha + ".onnx"), Path.Combine(dir, sha + ".onnx.sha256"));
    }

    private static void WriteAtomic(string path, byte[] content)
    {
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            File.WriteAllBytes(temp, content);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
