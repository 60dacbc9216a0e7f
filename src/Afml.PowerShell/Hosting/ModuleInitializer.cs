using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace Afml.PowerShell.Hosting;

/// <summary>
/// Runs when <c>Import-Module Afml</c> loads the cmdlet assembly: answers the default context's request for
/// <c>Afml.Core</c> (and only that) by loading it into <see cref="AfmlLoadContext"/>, which then resolves the
/// engine's own dependencies from <c>Dependencies/</c>. Also makes sure no telemetry leaves the process.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly string DependenciesDir =
        Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "Dependencies");

    private static readonly Lazy<AfmlLoadContext> Context = new(() => new AfmlLoadContext(DependenciesDir));

    public void OnImport()
    {
        Environment.SetEnvironmentVariable("POWERSHELL_TELEMETRY_OPTOUT", "1");
        AssemblyLoadContext.Default.Resolving += ResolveEngine;
    }

    public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= ResolveEngine;

    private static Assembly? ResolveEngine(AssemblyLoadContext _, AssemblyName name) =>
        name.Name == "Afml.Core" ? Context.Value.LoadFromAssemblyName(name) : null;
}
