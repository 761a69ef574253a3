namespace Jeeves;

/// <summary>
/// Specifies what registering a tool did.
/// </summary>
public enum ToolRegistration
{
    /// <summary>The tool was new and is now in the catalog.</summary>
    Added,

    /// <summary>An identical entry was already registered; nothing changed.</summary>
    Unchanged,

    /// <summary>A different entry with the same id was replaced, as the caller asked.</summary>
    Replaced,
}
