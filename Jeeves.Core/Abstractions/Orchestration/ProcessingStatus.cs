namespace Jeeves;

/// <summary>
/// Specifies the outcome of one agent run in the envelope's history. On the wire: <c>running</c>, <c>success</c>,
/// <c>error</c>, <c>skipped</c>.
/// </summary>
public enum ProcessingStatus
{
    /// <summary>Still running.</summary>
    Running,

    /// <summary>Succeeded.</summary>
    Success,

    /// <summary>Failed.</summary>
    Error,

    /// <summary>Skipped.</summary>
    Skipped,
}
