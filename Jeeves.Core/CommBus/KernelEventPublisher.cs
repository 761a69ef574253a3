using Jeeves.Kernel;
using Jeeves.Kernel.Orchestration;

namespace Jeeves.CommBus;

/// <summary>Publishes the kernel's lifecycle, interrupt and orchestration events on a <see cref="MessageBus"/> with source <c>kernel</c>.</summary>
/// <remarks>
/// While nobody subscribes, the kernel skips building events at all (their payloads cost more than the rest of a
/// command), so <see cref="CommBusStatistics.EventsPublished"/> counts the kernel events published while someone
/// listened.
/// </remarks>
internal sealed class KernelEventPublisher(MessageBus bus) : IKernelEventSink
{
    public bool IsEnabled => bus.HasSubscriptions;

    public CommBusStatistics Statistics => bus.GetStatistics();

    public void Publish(KernelEvent kernelEvent) =>
        bus.Publish(new BusEvent(kernelEvent.EventType, JsonValues.ToElement(kernelEvent.Payload), kernelEvent.Timestamp, KernelEvent.Source));
}
