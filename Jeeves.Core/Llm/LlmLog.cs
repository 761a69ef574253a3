using Microsoft.Extensions.Logging;

namespace Jeeves.Llm;

/// <summary>Log messages of LLM access (event ids 700–799).</summary>
internal static partial class LlmLog
{
    [LoggerMessage(700, LogLevel.Warning, "LLM call by agent {AgentName} of process {ProcessId} refused: the {Violation} budget of {Limit} is used up ({Used} used).", EventName = "LlmCallRefused")]
    public static partial void LlmCallRefused(this ILogger logger, string agentName, ProcessId processId, QuotaViolation violation, long limit, long used);

    [LoggerMessage(701, LogLevel.Debug,
        "LLM call by agent {AgentName} of process {ProcessId} on model {Model} used {InputTokens} input and {OutputTokens} output tokens (estimated: {Estimated}), costing {CostUsd} USD (priced: {Priced}).",
        EventName = "LlmCallMetered")]
    public static partial void LlmCallMetered(this ILogger logger, string agentName, ProcessId processId, string? model, long inputTokens, long outputTokens, bool estimated, decimal costUsd, bool priced);

    [LoggerMessage(702, LogLevel.Debug, "LLM call by agent {AgentName} of process {ProcessId} failed; it counts as a call without tokens.", EventName = "LlmCallFailed")]
    public static partial void LlmCallFailed(this ILogger logger, string agentName, ProcessId processId, Exception exception);

    [LoggerMessage(703, LogLevel.Warning, "Charging the LLM call by agent {AgentName} to process {ProcessId} failed after the call itself failed.", EventName = "KernelChargeFailed")]
    public static partial void KernelChargeFailed(this ILogger logger, string agentName, ProcessId processId, Exception exception);
}
