using Jeeves.Kernel;
using Microsoft.Extensions.Logging;

namespace Jeeves.Actor;

/// <summary>The in-process <see cref="IKernelClient"/>: every call is a command posted to the kernel actor.</summary>
internal sealed class InProcessKernelClient : IKernelClient
{
    private readonly bool _ownsActor;

    public InProcessKernelClient(KernelActor actor, bool ownsActor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        Actor = actor;
        _ownsActor = ownsActor;
        Kernel = new InProcessKernelService(actor);
        Interrupts = new InProcessInterruptService(actor);
        Tools = new InProcessToolService(actor);
        Engine = new InProcessEngineService(actor);
        Orchestration = new InProcessOrchestrationService(actor);
    }

    public KernelActor Actor { get; }

    public IKernelService Kernel { get; }

    public IEngineService Engine { get; }

    public IOrchestrationService Orchestration { get; }

    public IInterruptService Interrupts { get; }

    public IToolService Tools { get; }

    public static InProcessKernelClient Create(KernelOptions options, TimeProvider timeProvider, ILogger? logger)
    {
        var core = new KernelCore(options, timeProvider);
        var actor = new KernelActor(core, options.QueueCapacity, options.Cleanup.Interval, logger);
        return new InProcessKernelClient(actor, ownsActor: true);
    }

    public ValueTask DisposeAsync() => _ownsActor ? Actor.DisposeAsync() : ValueTask.CompletedTask;
}
