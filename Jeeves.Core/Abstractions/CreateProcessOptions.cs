namespace Jeeves;

/// <summary>
/// Represents the optional settings of a new process.
/// </summary>
public sealed record CreateProcessOptions
{
    /// <summary>Gets the request id, or <see langword="null"/> for a fresh UUID.</summary>
    public RequestId? RequestId { get; init; }

    /// <summary>Gets the user id, or <see langword="null"/> for <c>anonymous</c>. Rate limits are charged to this user.</summary>
    public UserId? UserId { get; init; }

    /// <summary>Gets the session id, or <see langword="null"/> for a fresh UUID.</summary>
    public SessionId? SessionId { get; init; }

    /// <summary>Gets the scheduling priority.</summary>
    /// <value>The default value is <see cref="SchedulingPriority.Normal"/>.</value>
    public SchedulingPriority Priority { get; init; } = SchedulingPriority.Normal;

    /// <summary>Gets the quota, or <see langword="null"/> for the kernel's current default quota.</summary>
    public ResourceQuota? Quota { get; init; }
}
