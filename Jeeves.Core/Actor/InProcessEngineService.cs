using Jeeves.Kernel;

namespace Jeeves.Actor;

/// <summary>The <c>engine</c> service over the kernel actor.</summary>
internal sealed class InProcessEngineService(KernelActor actor) : IEngineService
{
    public Task<Envelope> CreateEnvelopeAsync(CreateEnvelopeOptions? options = null, CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("CreateEnvelope", static (k, o) => k.CreateEnvelope(o), options, cancellationToken);

    public Task<BoundsCheckResult> CheckBoundsAsync(Envelope envelope, CancellationToken cancellationToken = default)
    {
        // A pure function of an immutable envelope: no need to visit the kernel.
        ArgumentNullException.ThrowIfNull(envelope);
        return cancellationToken.IsCancellationRequested
            ? Task.FromCanceled<BoundsCheckResult>(cancellationToken)
            : Task.FromResult(KernelCore.CheckBounds(envelope));
    }

    public Task<Envelope> UpdateEnvelopeAsync(Envelope envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return actor.InvokeAsync("UpdateEnvelope", static (k, e) => k.UpdateEnvelope(e), envelope, cancellationToken);
    }

    public Task<Instruction> ExecutePipelineAsync(Envelope envelope, PipelineConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(config);
        return actor.InvokeAsync("ExecutePipeline", static (k, s) => k.ExecutePipeline(s.envelope, s.config), (envelope, config), cancellationToken);
    }

    public Task<Envelope> CloneEnvelopeAsync(Envelope envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return actor.InvokeAsync("CloneEnvelope", static (k, e) => k.CloneEnvelope(e), envelope, cancellationToken);
    }
}
