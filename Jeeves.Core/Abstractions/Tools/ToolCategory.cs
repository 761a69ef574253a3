namespace Jeeves;

/// <summary>
/// Specifies what kind of work a tool does. On the wire: <c>read</c>, <c>write</c>, <c>execute</c>, <c>network</c>,
/// <c>system</c>, <c>unified</c>, <c>composite</c>, <c>resilient</c>, <c>standalone</c>, <c>internal</c>.
/// </summary>
public enum ToolCategory
{
    /// <summary>Reads data.</summary>
    Read,

    /// <summary>Writes data.</summary>
    Write,

    /// <summary>Runs code or commands.</summary>
    Execute,

    /// <summary>Calls the network.</summary>
    Network,

    /// <summary>Touches the host system.</summary>
    System,

    /// <summary>A unified front for several tools.</summary>
    Unified,

    /// <summary>Composed of other tools.</summary>
    Composite,

    /// <summary>Wraps another tool with retries or fallbacks.</summary>
    Resilient,

    /// <summary>Self-contained.</summary>
    Standalone,

    /// <summary>For the system's own use.</summary>
    Internal,
}
