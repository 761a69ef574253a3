using System.Text.Json.Nodes;
using Jeeves.Kernel.Orchestration;
using Jeeves.Kernel.Tools;

namespace Jeeves.Kernel;

/// <summary>
/// Owns all kernel state and exposes it as plain synchronous operations. Not thread-safe by contract: the kernel
/// actor is the only caller, one command at a time.
/// </summary>
/// <remarks>
/// Every operation validates its input before changing anything, so an operation that throws leaves the kernel as
/// it was. Lifecycle events are raised here, in one place, after the change succeeded.
/// </remarks>
internal sealed partial class KernelCore
{
    private readonly TimeProvider _time;
    private readonly ProcessTable _processes = new();
    private readonly UsageLedger _usage = new();
    private readonly RateLimiter _rateLimiter;
    private readonly InterruptBroker _interrupts;
    private readonly ServiceRegistry _services = new();
    private readonly ToolCatalog _toolCatalog = new();
    private readonly ToolAccessPolicy _toolAccess = new();
    private readonly ToolHealthTracker _toolHealth;
    private readonly Orchestrator _orchestrator = new();
    private readonly CompiledPipelineCache _pipelines = new();
    private readonly Dictionary<string, (Envelope Envelope, DateTimeOffset TouchedAt)> _engineEnvelopes = new(StringComparer.Ordinal);
    private readonly IKernelEventSink _events;
    private readonly CleanupSettings _cleanup;
    private ResourceQuota _defaultQuota;

    public KernelCore(KernelOptions options, TimeProvider timeProvider, IKernelEventSink? events = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        QuotaRules.Validate(options.DefaultQuota);

        _time = timeProvider;
        _events = events ?? NullEventSink.Instance;
        _defaultQuota = options.DefaultQuota;
        _rateLimiter = new RateLimiter(options.RateLimit);
        _interrupts = new InterruptBroker(options.Interrupts);
        _toolHealth = new ToolHealthTracker(options.ToolHealth, timeProvider);
        CleanupOptions c = options.Cleanup;
        _cleanup = new CleanupSettings(c.ProcessRetention, c.SessionRetention, c.InterruptRetention, c.MaxUserUsageEntries);
    }

    public TimeProvider TimeProvider => _time;

    internal ProcessTable Processes => _processes;

    internal UsageLedger Usage => _usage;

    internal RateLimiter RateLimiter => _rateLimiter;

    internal InterruptBroker Interrupts => _interrupts;

    internal ServiceRegistry Services => _services;

    internal ToolCatalog ToolCatalog => _toolCatalog;

    internal ToolAccessPolicy ToolAccess => _toolAccess;

    internal ToolHealthTracker ToolHealth => _toolHealth;

    internal Orchestrator Orchestrator => _orchestrator;

    internal int EngineEnvelopeCount => _engineEnvelopes.Count;

    public SystemStatus GetSystemStatus()
    {
        (int healthy, int degraded, int unhealthy) = _services.CountByStatus();
        return new SystemStatus
        {
            Processes = _processes.Counts(),
            ServicesHealthy = healthy,
            ServicesDegraded = degraded,
            ServicesUnhealthy = unhealthy,
            ActiveOrchestrationSessions = _orchestrator.Count,
            PendingInterrupts = _interrupts.PendingCount(),
            CommBus = _events.Statistics,
        };
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private void Emit(string eventType, DateTimeOffset timestamp, JsonObject payload)
    {
        var raw = new KernelEvent(eventType, timestamp, payload);
        _events.Publish(raw);
        if (FrontendEventTranslator.Translate(raw) is { } companion)
        {
            _events.Publish(companion);
        }
    }

    private readonly record struct CleanupSettings(TimeSpan ProcessRetention, TimeSpan SessionRetention, TimeSpan InterruptRetention, int MaxUserUsageEntries);

    private sealed class NullEventSink : IKernelEventSink
    {
        public static readonly NullEventSink Instance = new();

        public bool IsEnabled => false;

        public CommBusStatistics Statistics => CommBusStatistics.Empty;

        public void Publish(KernelEvent kernelEvent)
        {
        }
    }
}
