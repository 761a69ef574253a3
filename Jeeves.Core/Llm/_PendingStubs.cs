// Temporary stand-ins until the Llm folder lands; not committed.
#pragma warning disable
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
namespace Jeeves.Llm;
public sealed class LlmCallContext
{
    public const string PropertyName = "jeeves.llm_call";
    public LlmCallContext(ProcessId processId, string agentName) { ProcessId = processId; AgentName = agentName; }
    public ProcessId ProcessId { get; }
    public string AgentName { get; }
    public string? ModelRole { get; init; }
    public int? RemainingLlmCalls { get; init; }
    public long? RemainingInputTokens { get; init; }
    public long? RemainingOutputTokens { get; init; }
    public bool ChargeKernel { get; init; }
    public int LlmCalls { get; }
    public long InputTokens { get; }
    public long OutputTokens { get; }
    public decimal CostUsd { get; }
}
public sealed class LlmPriceTable { }
public sealed class LlmBudgetExceededException : KernelException { public LlmBudgetExceededException() : base(KernelErrorCode.ResourceExhausted, "x") { } }
public sealed class MeteringChatClient : DelegatingChatClient
{
    public MeteringChatClient(IChatClient inner, IKernelClient kernel, LlmPriceTable? prices = null, ILogger? logger = null) : base(inner) { }
}
public static class LenientJson { public static JsonObject? ParseObject(string text) => null; }
