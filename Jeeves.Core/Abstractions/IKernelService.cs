using System.Text.Json.Nodes;

namespace Jeeves;

/// <summary>
/// Manages kernel processes: their lifecycle and scheduling, quotas and usage, per-user rate limits and the
/// kernel's status. This is the <c>kernel</c> service of the wire protocol.
/// </summary>
public interface IKernelService
{
    /// <summary>Creates a process and queues it to run.</summary>
    /// <param name="pid">The new process id.</param>
    /// <param name="options">The optional settings; <see langword="null"/> for defaults.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The stored process, in state <see cref="ProcessState.Ready"/>.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.AlreadyExists"/> when the pid exists (no rate-limit slot is spent);
    /// <see cref="KernelErrorCode.InvalidArgument"/> for an empty pid or a negative quota field.</exception>
    /// <exception cref="RateLimitedException">The user's rate limit refuses the request.</exception>
    Task<ProcessInfo> CreateProcessAsync(ProcessId pid, CreateProcessOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Gets a process.</summary>
    /// <param name="pid">The process id.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The process, or <see langword="null"/> when it does not exist.</returns>
    Task<ProcessInfo?> GetProcessAsync(ProcessId pid, CancellationToken cancellationToken = default);

    /// <summary>Queues a <see cref="ProcessState.New"/> process to run.</summary>
    /// <param name="pid">The process id.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The process, now <see cref="ProcessState.Ready"/>.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.NotFound"/> or <see cref="KernelErrorCode.FailedPrecondition"/> when not NEW.</exception>
    Task<ProcessInfo> ScheduleProcessAsync(ProcessId pid, CancellationToken cancellationToken = default);

    /// <summary>Takes the next process to run off the ready queue: highest priority first, first-in first-out within a priority.</summary>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The process (still <see cref="ProcessState.Ready"/>, no longer queued), or <see langword="null"/> when none is ready.</returns>
    /// <remarks>A process is handed out at most once each time it becomes ready.</remarks>
    Task<ProcessInfo?> GetNextRunnableAsync(CancellationToken cancellationToken = default);

    /// <summary>Moves a process along one edge of the state table.</summary>
    /// <param name="pid">The process id.</param>
    /// <param name="newState">The target state.</param>
    /// <param name="reason">The reason, recorded as the block reason for <see cref="ProcessState.Blocked"/> and in the event.</param>
    /// <param name="interruptKind">The kind of interrupt waited for, for <see cref="ProcessState.Waiting"/>.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The process after the move.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.NotFound"/>, or <see cref="KernelErrorCode.FailedPrecondition"/> for a move the table does not allow.</exception>
    Task<ProcessInfo> TransitionStateAsync(ProcessId pid, ProcessState newState, string? reason = null, InterruptKind? interruptKind = null, CancellationToken cancellationToken = default);

    /// <summary>Terminates a process. Terminating a finished process changes nothing and succeeds.</summary>
    /// <param name="pid">The process id.</param>
    /// <param name="reason">Why the process ends, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The process, now terminal.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.NotFound"/>.</exception>
    Task<ProcessInfo> TerminateProcessAsync(ProcessId pid, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Resumes a <see cref="ProcessState.Waiting"/> or <see cref="ProcessState.Blocked"/> process and queues it to run.</summary>
    /// <param name="pid">The process id.</param>
    /// <param name="envelopeUpdate">Changes to merge into the process's envelope (<c>raw_input</c>, <c>metadata</c>, <c>outputs</c>, other keys into metadata), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The process, now <see cref="ProcessState.Ready"/>.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.NotFound"/>, or <see cref="KernelErrorCode.FailedPrecondition"/> when neither waiting nor blocked.</exception>
    Task<ProcessInfo> ResumeProcessAsync(ProcessId pid, JsonObject? envelopeUpdate = null, CancellationToken cancellationToken = default);

    /// <summary>Checks a process's usage against its quota. A violation is reported in the result, not thrown.</summary>
    /// <param name="pid">The process id.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The first violation in the kernel's fixed order, if any.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.NotFound"/>.</exception>
    Task<QuotaCheckResult> CheckQuotaAsync(ProcessId pid, CancellationToken cancellationToken = default);

    /// <summary>Adds usage to a process and to its user's totals. Quotas are not checked here.</summary>
    /// <param name="pid">The process id.</param>
    /// <param name="usage">The usage to add; every field must be non-negative.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The process's cumulative usage.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.NotFound"/>; <see cref="KernelErrorCode.InvalidArgument"/> for a negative field or a total that would overflow (nothing is recorded).</exception>
    Task<ResourceUsage> RecordUsageAsync(ProcessId pid, UsageDelta usage, CancellationToken cancellationToken = default);

    /// <summary>Checks a user's rate limit, and records a hit when admitted and <paramref name="record"/> is set.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="record"><see langword="true"/> to record an admitted request; <see langword="false"/> for a dry run.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The decision; a refusal is reported, not thrown.</returns>
    Task<RateLimitDecision> CheckRateLimitAsync(UserId userId, bool record = true, CancellationToken cancellationToken = default);

    /// <summary>Lists processes, sorted by creation time and then pid.</summary>
    /// <param name="state">Only processes in this state, or <see langword="null"/> for all.</param>
    /// <param name="userId">Only this user's processes, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The matching processes.</returns>
    Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(ProcessState? state = null, UserId? userId = null, CancellationToken cancellationToken = default);

    /// <summary>Counts processes by state.</summary>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The counts; all seven states are present.</returns>
    Task<ProcessCounts> GetProcessCountsAsync(CancellationToken cancellationToken = default);

    /// <summary>Changes the fields of the default quota that <paramref name="update"/> sets to a positive value.</summary>
    /// <param name="update">The change.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The resulting default quota.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.InvalidArgument"/> for a negative field (nothing changes).</exception>
    Task<ResourceQuota> SetQuotaDefaultsAsync(QuotaUpdate update, CancellationToken cancellationToken = default);

    /// <summary>Gets the default quota given to new processes.</summary>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The default quota.</returns>
    Task<ResourceQuota> GetQuotaDefaultsAsync(CancellationToken cancellationToken = default);

    /// <summary>Gets an overview of the kernel.</summary>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The status.</returns>
    Task<SystemStatus> GetSystemStatusAsync(CancellationToken cancellationToken = default);
}
