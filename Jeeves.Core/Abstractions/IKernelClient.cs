namespace Jeeves;

/// <summary>
/// Represents a connection to a Jeeves kernel, in this process or in another one. Both implementations behave the
/// same way and fail with the same <see cref="KernelException"/> codes.
/// </summary>
/// <remarks>
/// A client is safe to use from many threads at once. Every call is answered in the order the kernel received it;
/// the kernel itself is single-threaded, so each call sees the effects of every call answered before it.
/// </remarks>
public interface IKernelClient : IAsyncDisposable
{
    /// <summary>Gets the process lifecycle, quota, rate-limit and status service.</summary>
    IKernelService Kernel { get; }

    /// <summary>Gets the envelope service.</summary>
    IEngineService Engine { get; }

    /// <summary>Gets the pipeline orchestration service.</summary>
    IOrchestrationService Orchestration { get; }

    /// <summary>Gets the message bus: events, commands and queries; the kernel publishes its events here.</summary>
    ICommBusService CommBus { get; }

    /// <summary>Gets the human-in-the-loop interrupt service.</summary>
    IInterruptService Interrupts { get; }

    /// <summary>Gets the tool catalog, access and health service.</summary>
    IToolService Tools { get; }
}
