namespace Jeeves;

/// <summary>
/// Identifies the kind of failure reported by the kernel, with the same codes on the wire as in process.
/// </summary>
/// <remarks>
/// The wire spelling of each code is its SCREAMING_SNAKE_CASE name (for example <c>INVALID_ARGUMENT</c>);
/// see <see cref="WireNames.ToWire(KernelErrorCode)"/>.
/// </remarks>
public enum KernelErrorCode
{
    /// <summary>An argument is missing, malformed or out of range (<c>INVALID_ARGUMENT</c>).</summary>
    InvalidArgument,

    /// <summary>A process, interrupt, service, method or other named entity does not exist (<c>NOT_FOUND</c>).</summary>
    NotFound,

    /// <summary>The entity is not in a state that allows the operation (<c>FAILED_PRECONDITION</c>).</summary>
    FailedPrecondition,

    /// <summary>A quota, rate limit or the kernel's request queue is exhausted (<c>RESOURCE_EXHAUSTED</c>).</summary>
    ResourceExhausted,

    /// <summary>The kernel is not running or the connection to it is gone (<c>UNAVAILABLE</c>).</summary>
    Unavailable,

    /// <summary>An unexpected failure inside the kernel; the kernel itself keeps running (<c>INTERNAL</c>).</summary>
    Internal,

    /// <summary>The operation was cancelled (<c>CANCELLED</c>).</summary>
    Cancelled,

    /// <summary>The operation did not complete in time (<c>TIMEOUT</c>).</summary>
    Timeout,

    /// <summary>An entity with the same identity already exists (<c>ALREADY_EXISTS</c>).</summary>
    AlreadyExists,

    /// <summary>The caller has not authenticated (<c>UNAUTHENTICATED</c>).</summary>
    Unauthenticated,
}
