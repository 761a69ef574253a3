namespace Jeeves;

/// <summary>
/// Raises and answers human-in-the-loop interrupts. This is the <c>interrupt</c> service of the wire protocol.
/// </summary>
public interface IInterruptService
{
    /// <summary>Raises an interrupt. With <see cref="CreateInterruptRequest.ProcessId"/> set, the running process pauses (<see cref="ProcessState.Waiting"/>) until the interrupt ends.</summary>
    /// <param name="request">The interrupt to raise.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The pending interrupt.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.NotFound"/> for an unknown process; <see cref="KernelErrorCode.FailedPrecondition"/> when that process is not running.</exception>
    Task<KernelInterrupt> CreateAsync(CreateInterruptRequest request, CancellationToken cancellationToken = default);

    /// <summary>Answers a pending interrupt; a process paused by it resumes.</summary>
    /// <param name="interruptId">The interrupt id.</param>
    /// <param name="response">The answer.</param>
    /// <param name="userId">The answering user, who must own the interrupt; <see langword="null"/> skips the ownership check (trusted callers only).</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns><see langword="true"/> when resolved; <see langword="false"/> when the interrupt is unknown, no longer pending (expired included) or owned by another user, in which case nothing changes.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.InvalidArgument"/> when the kind requires an answer and <paramref name="response"/> carries none.</exception>
    Task<bool> ResolveAsync(string interruptId, InterruptResponse response, string? userId, CancellationToken cancellationToken = default);

    /// <summary>Withdraws a pending interrupt; a process paused by it ends as its kind is configured (<see cref="InterruptKindOptions.OnCancelled"/>).</summary>
    /// <param name="interruptId">The interrupt id.</param>
    /// <param name="reason">The reason, stored as <c>data.cancel_reason</c>; <see langword="null"/> for <c>cancelled</c>.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns><see langword="true"/> when cancelled; <see langword="false"/> when unknown or no longer pending.</returns>
    Task<bool> CancelAsync(string interruptId, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Gets an interrupt, whatever its status.</summary>
    /// <param name="interruptId">The interrupt id.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The interrupt, or <see langword="null"/> when unknown.</returns>
    Task<KernelInterrupt?> GetAsync(string interruptId, CancellationToken cancellationToken = default);

    /// <summary>Lists a session's pending, unexpired interrupts in the order they were raised.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="kinds">Only these kinds (an empty collection matches nothing), or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The pending interrupts.</returns>
    Task<IReadOnlyList<KernelInterrupt>> GetPendingForSessionAsync(string sessionId, IReadOnlyCollection<InterruptKind>? kinds = null, CancellationToken cancellationToken = default);
}
