using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Jeeves.Runtime;

/// <summary>The outcome of loading capabilities named in <c>JEEVES_CAPABILITIES</c>.</summary>
/// <param name="Capabilities">The capabilities found, in the order named.</param>
/// <param name="Failures">Each entry that could not be loaded, with why.</param>
public sealed record CapabilityDiscoveryResult(IReadOnlyList<ICapability> Capabilities, IReadOnlyList<string> Failures);

/// <summary>
/// Finds capabilities named in configuration (the reference's <c>JEEVES_CAPABILITIES</c>, runtime spec §2.2): a
/// comma-separated list where each entry is either the full name of an <see cref="ICapability"/> type with a public
/// parameterless constructor (<c>MyApp.Chat.ChatCapability</c>, looked up in the loaded assemblies, then in an assembly
/// named by a prefix of the name such as <c>MyApp.Chat</c> or <c>MyApp</c>), or an assembly (<c>MyApp.Capabilities</c>, or
/// a path ending in <c>.dll</c>) whose public <see cref="ICapability"/> types are all taken.
/// </summary>
/// <remarks>
/// Rules kept from the reference: an entry that is not qualified (no <c>.</c>, like a bare <c>chat</c>) is refused at once;
/// an entry that cannot be loaded is reported and skipped; loading none at all is an error telling the operator what to set.
/// Prefer <c>AddCapability&lt;T&gt;()</c>, which needs no reflection and works when trimmed.
/// </remarks>
public static class CapabilityDiscovery
{
    /// <summary>The environment variable that names capabilities.</summary>
    public const string EnvironmentVariable = "JEEVES_CAPABILITIES";

    /// <summary>Loads the capabilities a <c>JEEVES_CAPABILITIES</c> value names.</summary>
    /// <param name="value">The value (comma-separated entries; blanks ignored).</param>
    /// <returns>The capabilities and the entries that failed.</returns>
    /// <exception cref="ArgumentException">An entry is not qualified.</exception>
    /// <exception cref="InvalidOperationException">No capability was loaded; the message says what to set and lists the failures.</exception>
    [RequiresUnreferencedCode("Loads types and assemblies by name; the capabilities must not be trimmed.")]
    [RequiresDynamicCode("Creates capability instances by reflection.")]
    public static CapabilityDiscoveryResult Load(string? value)
    {
        string[] entries = (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (string entry in entries)
        {
            if (!entry.Contains('.', StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"{EnvironmentVariable} entry '{entry}' is not qualified: name a capability type (Namespace.Type) or an assembly (Name.Space or a .dll path).",
                    nameof(value));
            }
        }

        var found = new List<ICapability>();
        var failures = new List<string>();
        foreach (string entry in entries)
        {
            try
            {
                if (!entry.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && FindType(entry) is { } type)
                {
                    found.Add(Create(type));
                }
                else
                {
                    Assembly assembly = entry.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
                        ? Assembly.LoadFrom(Path.GetFullPath(entry))
                        : Assembly.Load(new AssemblyName(entry));
                    Type[] types = [.. assembly.GetExportedTypes().Where(static t => t is { IsClass: true, IsAbstract: false } && typeof(ICapability).IsAssignableFrom(t))];
                    if (types.Length == 0)
                    {
                        failures.Add($"{entry}: the assembly has no public ICapability type");
                    }

                    found.AddRange(types.Select(Create));
                }
            }
#pragma warning disable CA1031 // Every reason an entry cannot load is reported, not thrown (runtime spec §2.2).
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failures.Add($"{entry}: {ex.GetBaseException().Message}");
            }
        }

        if (found.Count == 0)
        {
            string why = failures.Count == 0 ? string.Empty : " Failures: " + string.Join("; ", failures);
            throw new InvalidOperationException($"No capabilities loaded. Set {EnvironmentVariable} to the capability types or assemblies to load.{why}");
        }

        return new CapabilityDiscoveryResult(found, failures);
    }

    [RequiresUnreferencedCode("Looks types up by name.")]
    private static Type? FindType(string name)
    {
        foreach (Assembly loaded in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (loaded.GetType(name) is { } type)
            {
                return type;
            }
        }

        for (int dot = name.LastIndexOf('.'); dot > 0; dot = name.LastIndexOf('.', dot - 1))
        {
            try
            {
                if (Assembly.Load(new AssemblyName(name[..dot])).GetType(name) is { } type)
                {
                    return type;
                }
            }
            catch (IOException)
            {
                // No assembly by that name: try a shorter prefix.
            }
            catch (BadImageFormatException)
            {
                // Not a managed assembly: try a shorter prefix.
            }
        }

        return null;
    }

    [RequiresUnreferencedCode("Creates a capability by reflection.")]
    [RequiresDynamicCode("Creates a capability by reflection.")]
    private static ICapability Create(Type type)
    {
        if (!typeof(ICapability).IsAssignableFrom(type))
        {
            throw new InvalidOperationException($"{type.FullName} does not implement ICapability");
        }

        return (ICapability)(Activator.CreateInstance(type) ?? throw new InvalidOperationException($"{type.FullName} could not be created"));
    }
}
