using System.Text.Json.Nodes;

namespace Jeeves.Actor;

/// <summary>The <c>kernel</c> service over the kernel actor.</summary>
internal sealed class InProcessKernelService(KernelActor actor) : IKernelService
{
    public Task<ProcessInfo> CreateProcessAsync(ProcessId pid, CreateProcessOptions? options = null, CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("CreateProcess", static (k, s) => k.CreateProcess(s.pid, s.options), (pid, options), cancellationToken);

    public Task<ProcessInfo?> GetProcessAsync(ProcessId pid, CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("GetProcess", static (k, p) => k.GetProcess(p), pid, cancellationToken);

    public Task<ProcessInfo> ScheduleProcessAsync(ProcessId pid, CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("ScheduleProcess", static (k, p) => k.ScheduleProcess(p), pid, cancellationToken);

    public Task<ProcessInfo?> GetNextRunnableAsync(CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("GetNextRunnable", static (k, _) => k.GetNextRunnable(), 0, cancellationToken);

    public Task<ProcessInfo> TransitionStateAsync(ProcessId pid, ProcessState newState, string? reason = null, InterruptKind? interruptKind = null, CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("TransitionState", static (k, s) => k.TransitionState(s.pid, s.newState, s.reason, s.interruptKind), (pid, newState, reason, interruptKind), cancellationToken);

    public Task<ProcessInfo> TerminateProcessAsync(ProcessId pid, string? reason = null, CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("TerminateProcess", static (k, s) => k.TerminateProcess(s.pid, s.reason), (pid, reason), cancellationToken);

    public Task<ProcessInfo> ResumeProcessAsync(ProcessId pid, JsonObject? envelopeUpdate = null, CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("ResumeProcess", static (k, s) => k.ResumeProcess(s.pid, s.update), (pid, update: (JsonObject?)envelopeUpdate?.DeepClone()), cancellationToken);

    public Task<QuotaCheckResult> CheckQuotaAsync(ProcessId pid, CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("CheckQuota", static (k, p) => k.CheckQuota(p), pid, cancellationToken);

    public Task<ResourceUsage> RecordUsageAsync(ProcessId pid, UsageDelta usage, CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("RecordUsage", static (k, s) => k.RecordUsage(s.pid, s.usage), (pid, usage), cancellationToken);

    public Task<RateLimitDecision> CheckRateLimitAsync(UserId userId, bool record = true, CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("CheckRateLimit", static (k, s) => k.CheckRateLimit(s.userId, s.record), (userId, record), cancellationToken);

    public Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(ProcessState? state = null, UserId? userId = null, CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("ListProcesses", static (k, s) => k.ListProcesses(s.state, s.userId), (state, userId), cancellationToken);

    public Task<ProcessCounts> GetProcessCountsAsync(CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("GetProcessCounts", static (k, _) => k.GetProcessCounts(), 0, cancellationToken);

    public Task<ResourceQuota> SetQuotaDefaultsAsync(QuotaUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        return actor.InvokeAsync("SetQuotaDefaults", static (k, u) => k.SetQuotaDefaults(u), update, cancellationToken);
    }

    public Task<ResourceQuota> GetQuotaDefaultsAsync(CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("GetQuotaDefaults", static (k, _) => k.GetQuotaDefaults(), 0, cancellationToken);

    public Task<SystemStatus> GetSystemStatusAsync(CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("GetSystemStatus", static (k, _) => k.GetSystemStatus(), 0, cancellationToken);
}
