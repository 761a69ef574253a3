namespace Jeeves.Kernel;

/// <summary>The event types the kernel raises.</summary>
internal static class KernelEventTypes
{
    public const string ProcessCreated = "process.created";
    public const string ProcessStateChanged = "process.state_changed";
    public const string ProcessTerminated = "process.terminated";
    public const string ProcessResumed = "process.resumed";
    public const string ResourceExhausted = "resource.exhausted";
    public const string InterruptCreated = "interrupt.created";
    public const string InterruptResolved = "interrupt.resolved";
    public const string InterruptCancelled = "interrupt.cancelled";
    public const string InterruptExpired = "interrupt.expired";
}
