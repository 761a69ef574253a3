using Jeeves.Kernel;
using Jeeves.Kernel.Orchestration;

namespace Jeeves.CommBus;

/// <summary>Publishes the kernel's lifecycle, interrupt and orchestration events on a <see cref="MessageBus"/> with source <c>kernel</c>.</summary>
internal sealed class KernelEventPublisher(MessageBus bus) : IKernelEventSink
{
    public bool IsEnabled => true;

    public CommBusStatistics Statistics => bus.GetStatistics();

    public void Publish(KernelEvent kernelEvent) =>
        bus.Publish(new BusEvent(kernelEvent.EventType, JsonValues.ToElement(kernelEvent.Payload), kernelEvent.Timestamp, KernelEvent.Source));
}
