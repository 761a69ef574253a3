using System.Collections.Immutable;
using System.Text.Json;

namespace Jeeves;

/// <summary>
/// Shared empty ordinal collections for the envelope's defaults. They are immutable, so one instance serves every
/// envelope; creating a fresh empty one with a comparer allocates each time.
/// </summary>
internal static class EmptyCollections
{
    public static readonly ImmutableSortedDictionary<string, JsonElement> ElementsByName = ImmutableSortedDictionary.Create<string, JsonElement>(StringComparer.Ordinal);

    public static readonly ImmutableSortedDictionary<string, string> TextByName = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    public static readonly ImmutableSortedSet<string> Names = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);
}
