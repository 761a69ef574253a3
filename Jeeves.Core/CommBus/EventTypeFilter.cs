namespace Jeeves.CommBus;

/// <summary>
/// The event types one subscription wants: exact types, <c>prefix.*</c> patterns and <c>*</c>. Matching answers yes or
/// no, so a subscription whose patterns overlap still receives each event once.
/// </summary>
internal sealed class EventTypeFilter
{
    private const string All = "*";
    private const string PrefixSuffix = ".*";

    private readonly bool _all;
    private readonly string[] _exact;
    private readonly string[] _prefixes;

    private EventTypeFilter(bool all, string[] exact, string[] prefixes)
    {
        _all = all;
        _exact = exact;
        _prefixes = prefixes;
    }

    /// <summary>Gets the distinct patterns, in the order first listed.</summary>
    public required IReadOnlyList<string> Patterns { get; init; }

    /// <summary>Validates the patterns and builds the filter.</summary>
    /// <exception cref="KernelException">The list is null or empty, or a pattern is empty or white space.</exception>
    public static EventTypeFilter Create(IReadOnlyCollection<string>? patterns)
    {
        if (patterns is null || patterns.Count == 0)
        {
            throw KernelErrors.Validation("event_types is required (non-empty array)");
        }

        var distinct = new List<string>(patterns.Count);
        var exact = new List<string>();
        var prefixes = new List<string>();
        bool all = false;
        int index = 0;
        foreach (string pattern in patterns)
        {
            if (string.IsNullOrWhiteSpace(pattern))
            {
                throw KernelErrors.Validation($"event_types[{index}] must be a non-empty string");
            }

            index++;
            if (distinct.Contains(pattern))
            {
                continue;
            }

            distinct.Add(pattern);
            if (pattern == All)
            {
                all = true;
            }
            else if (pattern.EndsWith(PrefixSuffix, StringComparison.Ordinal))
            {
                // Keep the dot: "process.*" matches "process.created", not "processes".
                prefixes.Add(pattern[..^1]);
            }
            else
            {
                exact.Add(pattern);
            }
        }

        return new EventTypeFilter(all, [.. exact], [.. prefixes]) { Patterns = distinct };
    }

    /// <summary>Determines whether an event of <paramref name="eventType"/> is wanted.</summary>
    public bool Matches(string eventType)
    {
        if (_all)
        {
            return true;
        }

        foreach (string exact in _exact)
        {
            if (string.Equals(exact, eventType, StringComparison.Ordinal))
            {
                return true;
            }
        }

        foreach (string prefix in _prefixes)
        {
            if (eventType.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
