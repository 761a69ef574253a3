namespace Jeeves;

/// <summary>
/// Represents the settings of an in-process kernel. Values are copied when the kernel starts; changing the
/// options afterwards has no effect.
/// </summary>
public sealed class KernelOptions
{
    /// <summary>Gets or sets the capacity of the kernel's request queue. A request that finds it full fails at once with <see cref="KernelOverloadedException"/>.</summary>
    /// <value>The default value is 2048.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int QueueCapacity
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = 2048;

    /// <summary>Gets or sets the quota given to processes created without one, until changed with <see cref="IKernelService.SetQuotaDefaultsAsync"/>.</summary>
    /// <value>The default value is <see cref="ResourceQuota.Default"/>.</value>
    public ResourceQuota DefaultQuota
    {
        get;
        set => field = value ?? throw new ArgumentNullException(nameof(value));
    } = ResourceQuota.Default;

    /// <summary>Gets the per-user rate limits.</summary>
    public RateLimitOptions RateLimit { get; } = new();

    /// <summary>Gets the retention and garbage-collection settings.</summary>
    public CleanupOptions Cleanup { get; } = new();

    /// <summary>Gets the per-kind interrupt settings.</summary>
    public InterruptOptions Interrupts { get; } = new();

    /// <summary>Gets the thresholds that grade tool health and open circuits.</summary>
    public ToolHealthOptions ToolHealth { get; } = new();

    /// <summary>Gets the message bus settings.</summary>
    public CommBusOptions CommBus { get; } = new();
}
