namespace Jeeves;

/// <summary>
/// Specifies the status of an interrupt. Only <see cref="Pending"/> ever changes, and it changes once.
/// </summary>
public enum InterruptStatus
{
    /// <summary>Waiting for a response.</summary>
    Pending,

    /// <summary>Answered by its owner.</summary>
    Resolved,

    /// <summary>Its time to live passed without an answer.</summary>
    Expired,

    /// <summary>Withdrawn.</summary>
    Cancelled,
}
