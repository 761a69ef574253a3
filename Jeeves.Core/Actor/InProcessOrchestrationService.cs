using System.Text.Json;
using Jeeves.Kernel.Orchestration;

namespace Jeeves.Actor;

/// <summary>The <c>orchestration</c> service over the kernel actor.</summary>
internal sealed class InProcessOrchestrationService(KernelActor actor) : IOrchestrationService
{
    public Task<SessionState> InitializeSessionAsync(ProcessId processId, PipelineConfig config, Envelope envelope, bool force = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(envelope);
        return actor.InvokeAsync("InitializeSession", static (k, s) => k.InitializeSession(s.processId, s.config, s.envelope, s.force), (processId, config, envelope, force), cancellationToken);
    }

    public Task<Instruction> GetNextInstructionAsync(ProcessId processId, CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("GetNextInstruction", static (k, p) => k.GetNextInstruction(p), processId, cancellationToken);

    public Task<Instruction> ReportAgentResultAsync(ProcessId processId, AgentResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        // The output becomes immutable JSON here, on the caller's thread: the caller may change its object afterwards,
        // and the kernel's loop does less work. Given the converted output, the kernel never reads result.Output.
        return ReportAgentResultAsync(processId, result, JsonValues.ToElement(result.Output), cancellationToken);
    }

    /// <summary>Reports a result whose output the caller already holds as immutable JSON (equal to <see cref="AgentResult.Output"/>), which the kernel stores as it is.</summary>
    internal Task<Instruction> ReportAgentResultAsync(ProcessId processId, AgentResult result, JsonElement output, CancellationToken cancellationToken) =>
        actor.InvokeAsync("ReportAgentResult", static (k, s) => k.ReportAgentResult(s.processId, s.result, s.output), (processId, result, output), cancellationToken);

    public Task<SessionState> GetSessionStateAsync(ProcessId processId, CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("GetSessionState", static (k, p) => k.GetSessionState(p), processId, cancellationToken);
}
