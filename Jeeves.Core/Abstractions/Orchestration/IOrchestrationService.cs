namespace Jeeves;

/// <summary>
/// Runs pipelines: the kernel decides which agent runs next and when a run ends. This is the
/// <c>orchestration</c> service of the wire protocol.
/// </summary>
/// <remarks>
/// A worker loop is: <see cref="InitializeSessionAsync"/>, <see cref="GetNextInstructionAsync"/>, then while the
/// instruction is <see cref="InstructionKind.RunAgent"/>, run the agent and call <see cref="ReportAgentResultAsync"/>,
/// which answers with the next instruction.
/// </remarks>
public interface IOrchestrationService
{
    /// <summary>Starts a run of a pipeline for a process, creating the process from the envelope's identity when it does not exist.</summary>
    /// <param name="processId">The process.</param>
    /// <param name="config">The pipeline; validated before anything is created.</param>
    /// <param name="envelope">The starting envelope; the run starts at its current stage when that is a stage of the pipeline, else at the first stage.</param>
    /// <param name="force"><see langword="true"/> to replace an existing session (its edge counters restart).</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The new session.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.InvalidArgument"/> for an invalid pipeline; <see cref="KernelErrorCode.AlreadyExists"/>
    /// when a session exists and <paramref name="force"/> is not set; <see cref="KernelErrorCode.FailedPrecondition"/> when the process has ended.</exception>
    /// <exception cref="RateLimitedException">Creating the process was refused by the user's rate limit.</exception>
    Task<SessionState> InitializeSessionAsync(ProcessId processId, PipelineConfig config, Envelope envelope, bool force = false, CancellationToken cancellationToken = default);

    /// <summary>Gets what the process's worker should do next. Reading the instruction changes nothing.</summary>
    /// <param name="processId">The process.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The instruction.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.NotFound"/> when the process has no session.</exception>
    Task<Instruction> GetNextInstructionAsync(ProcessId processId, CancellationToken cancellationToken = default);

    /// <summary>Records the result of the agent the kernel instructed, routes the run, charges the usage to the process's quota, and returns the next instruction.</summary>
    /// <param name="processId">The process.</param>
    /// <param name="result">The result.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The next instruction.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.NotFound"/> without a session; <see cref="KernelErrorCode.FailedPrecondition"/> after the run ended,
    /// while it waits for an interrupt, or for an agent other than the instructed one; <see cref="KernelErrorCode.InvalidArgument"/> for negative metrics.
    /// A refused result changes nothing.</exception>
    Task<Instruction> ReportAgentResultAsync(ProcessId processId, AgentResult result, CancellationToken cancellationToken = default);

    /// <summary>Gets where a run stands.</summary>
    /// <param name="processId">The process.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The session.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.NotFound"/> when the process has no session.</exception>
    Task<SessionState> GetSessionStateAsync(ProcessId processId, CancellationToken cancellationToken = default);
}
