using Jeeves.CommBus;
using Jeeves.Kernel;
using Microsoft.Extensions.Logging;

namespace Jeeves.Actor;

/// <summary>The in-process <see cref="IKernelClient"/>: every call is a command posted to the kernel actor.</summary>
internal sealed class InProcessKernelClient : IKernelClient
{
    private readonly bool _ownsActor;

    public InProcessKernelClient(KernelActor actor, MessageBus bus, bool ownsActor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(bus);
        Actor = actor;
        Bus = bus;
        _ownsActor = ownsActor;
        Kernel = new InProcessKernelService(actor);
        Interrupts = new InProcessInterruptService(actor);
        Tools = new InProcessToolService(actor);
        Engine = new InProcessEngineService(actor);
        Orchestration = new InProcessOrchestrationService(actor);
    }

    public KernelActor Actor { get; }

    public MessageBus Bus { get; }

    public ICommBusService CommBus => Bus;

    public IKernelService Kernel { get; }

    public IEngineService Engine { get; }

    public IOrchestrationService Orchestration { get; }

    public IInterruptService Interrupts { get; }

    public IToolService Tools { get; }

    public static InProcessKernelClient Create(KernelOptions options, TimeProvider timeProvider, ILogger? logger)
    {
        var bus = new MessageBus(options.CommBus, timeProvider);
        var core = new KernelCore(options, timeProvider, new KernelEventPublisher(bus));
        var actor = new KernelActor(core, options.QueueCapacity, options.Cleanup.Interval, logger);
        return new InProcessKernelClient(actor, bus, ownsActor: true);
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsActor)
        {
            await Actor.DisposeAsync().ConfigureAwait(false);
            Bus.Dispose();
        }
    }
}
