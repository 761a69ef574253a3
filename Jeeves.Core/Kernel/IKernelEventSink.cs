namespace Jeeves.Kernel;

/// <summary>
/// Receives the kernel's lifecycle events. Called on the kernel actor after the operation that raised the event
/// succeeded; an implementation must return quickly and never throw back into the kernel.
/// </summary>
internal interface IKernelEventSink
{
    /// <summary>Gets a value indicating whether anyone listens; when not, the kernel skips building payloads.</summary>
    bool IsEnabled { get; }

    /// <summary>Gets the bus counters reported in the system status.</summary>
    CommBusStatistics Statistics { get; }

    void Publish(KernelEvent kernelEvent);
}
