using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Afml.PowerShell.Hosting;

/// <summary>
/// Loads Afml.Core and every third-party assembly it needs (YamlDotNet, CsvHelper, OnnxRuntime, Polly...) from
/// the module's <c>Dependencies/</c> folder, isolated from whatever versions other modules bring into the
/// default context. Native libraries (libonnxruntime) are found under <c>Dependencies/runtimes/&lt;rid&gt;/native</c>.
/// </summary>
internal sealed class AfmlLoadContext : AssemblyLoadContext
{
    private readonly string _dependencies;

    public AfmlLoadContext(string dependenciesDir) : base("Afml", isCollectible: false) => _dependencies = dependenciesDir;

    protected override Assembly? Load(AssemblyName name)
    {
        var path = Path.Combine(_dependencies, name.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null; // null: fall back to the default context (framework)
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (var candidate in NativeCandidates(unmanagedDllName))
            if (File.Exists(candidate)) return LoadUnmanagedDllFromPath(candidate);
        return IntPtr.Zero;
    }

    private IEnumerable<string> NativeCandidates(string name)
    {
        var rid = RuntimeInformation.RuntimeIdentifier;
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        string[] files = OperatingSystem.IsWindows()
            ? [name, name + ".dll"]
            : OperatingSystem.IsMacOS() ? [name, $"lib{name}.dylib", name + ".dylib"] : [name, $"lib{name}.so", name + ".so"];
        foreach (var dir in new[] { Path.Combine(_dependencies, "runtimes", rid, "native"), Path.Combine(_dependencies, "runtimes", $"{os}-{arch}", "native"), _dependencies })
            foreach (var f in files)
                yield return Path.Combine(dir, f);
    }
}
