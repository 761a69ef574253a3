namespace Jeeves;

/// <summary>
/// Works with envelopes outside a process: create, check, store, copy, and run a pipeline keyed by the envelope id.
/// This is the <c>engine</c> service the reference documented.
/// </summary>
public interface IEngineService
{
    /// <summary>Creates and stores an envelope with the reference defaults.</summary>
    /// <param name="options">The optional settings.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The envelope.</returns>
    Task<Envelope> CreateEnvelopeAsync(CreateEnvelopeOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Reports an envelope's remaining budget.</summary>
    /// <param name="envelope">The envelope.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The first exhausted bound, if any, and what remains of each.</returns>
    Task<BoundsCheckResult> CheckBoundsAsync(Envelope envelope, CancellationToken cancellationToken = default);

    /// <summary>Replaces a stored envelope.</summary>
    /// <param name="envelope">The new version; its envelope id must be stored.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The stored envelope.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.NotFound"/> when no envelope with that id is stored.</exception>
    Task<Envelope> UpdateEnvelopeAsync(Envelope envelope, CancellationToken cancellationToken = default);

    /// <summary>Starts a run keyed by the envelope id (no process is created) and returns its first instruction.</summary>
    /// <param name="envelope">The starting envelope.</param>
    /// <param name="config">The pipeline.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The first instruction; continue with <see cref="IOrchestrationService"/> using the envelope id as the process id.</returns>
    Task<Instruction> ExecutePipelineAsync(Envelope envelope, PipelineConfig config, CancellationToken cancellationToken = default);

    /// <summary>Copies an envelope under a fresh envelope id and stores the copy.</summary>
    /// <param name="envelope">The envelope.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The copy.</returns>
    Task<Envelope> CloneEnvelopeAsync(Envelope envelope, CancellationToken cancellationToken = default);
}
