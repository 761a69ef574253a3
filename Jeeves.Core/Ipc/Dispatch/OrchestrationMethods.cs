using System.Text.Json.Nodes;

namespace Jeeves.Ipc;

/// <summary>The <c>orchestration</c> service (ipc.md §6.2), with our semantics where COMPATIBILITY.md differs.</summary>
internal static class OrchestrationMethods
{
    private const string Service = "orchestration";

    public static void Register(IpcMethodTable table)
    {
        table.Add(Service, "InitializeSession", InitializeSessionAsync);
        table.Add(Service, "GetNextInstruction", GetNextInstructionAsync);
        table.Add(Service, "ReportAgentResult", ReportAgentResultAsync);
        table.Add(Service, "GetSessionState", GetSessionStateAsync);
    }

    /// <summary>
    /// Parses <c>process_id</c>, then <c>pipeline_config</c>, then <c>envelope</c>. The kernel validates the pipeline
    /// before it creates a missing process, and a duplicate session is ALREADY_EXISTS (COMPATIBILITY.md Q9, Q14).
    /// </summary>
    private static async ValueTask<JsonNode> InitializeSessionAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        ProcessId pid = IpcFields.RequirePid(body, "process_id");
        PipelineConfig config = IpcSchemas.ReadPipelineConfig(
            IpcFields.Get(body, "pipeline_config") ?? throw KernelErrors.Validation("Missing field: pipeline_config"));
        Envelope envelope = ReadEnvelope(IpcFields.Get(body, "envelope") ?? throw KernelErrors.Validation("Missing field: envelope"));
        bool force = IpcFields.OptionalBool(body, "force", defaultValue: false);
        return IpcViews.SessionState(await client.Orchestration.InitializeSessionAsync(pid, config, envelope, force, cancellationToken).ConfigureAwait(false));
    }

    private static async ValueTask<IpcReply> GetNextInstructionAsync(IKernelClient client, IpcBody body, CancellationToken cancellationToken)
    {
        ProcessId pid = body.RequirePid("process_id");
        return IpcViews.Instruction(await client.Orchestration.GetNextInstructionAsync(pid, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Validates the request, metrics included, before any lookup. The kernel refuses reports after termination,
    /// during a pause or from another agent, and then changes nothing (COMPATIBILITY.md Q5). Beyond the reference's
    /// fields, an optional <c>interrupt</c> (the <c>CreateInterrupt</c> map) raises an interrupt with the result, which
    /// pauses the run in the same command.
    /// </summary>
    private static async ValueTask<IpcReply> ReportAgentResultAsync(IKernelClient client, IpcBody body, CancellationToken cancellationToken)
    {
        ProcessId pid = body.RequirePid("process_id");
        string agent = body.RequireString("agent_name");
        JsonObject metrics = body.OptionalObject("metrics") ?? [];
        var result = new AgentResult
        {
            AgentName = agent,
            Success = body.OptionalBool("success", defaultValue: true),
            Error = body.OptionalString("error", string.Empty),
            Output = (JsonObject?)body.OptionalObject("output")?.DeepClone() ?? [],
            Metrics = new AgentExecutionMetrics
            {
                LlmCalls = IpcFields.OptionalNonNegativeInt32(metrics, "llm_calls", "metrics.llm_calls") ?? 0,
                ToolCalls = IpcFields.OptionalNonNegativeInt32(metrics, "tool_calls", "metrics.tool_calls") ?? 0,
                TokensIn = Tokens(metrics, "tokens_in"),
                TokensOut = Tokens(metrics, "tokens_out"),
                Duration = TimeSpan.FromMilliseconds(Math.Min(
                    IpcFields.OptionalNonNegativeInt64(metrics, "duration_ms", "metrics.duration_ms") ?? 0,
                    (long)TimeSpan.MaxValue.TotalMilliseconds)),
            },
            Interrupt = body.OptionalObject("interrupt") is { } interrupt ? InterruptMethods.ReadCreateRequest(interrupt) : null,
        };
        return IpcViews.Instruction(await client.Orchestration.ReportAgentResultAsync(pid, result, cancellationToken).ConfigureAwait(false));
    }

    private static async ValueTask<JsonNode> GetSessionStateAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        ProcessId pid = IpcFields.RequirePid(body, "process_id");
        return IpcViews.SessionState(await client.Orchestration.GetSessionStateAsync(pid, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Reads an envelope (ipc.md §5.4) from its map, or from JSON text as the historical engine sends it.</summary>
    internal static Envelope ReadEnvelope(JsonNode node) =>
        IpcFields.AsString(node) is { } text ? Envelope.FromJson(text) : EnvelopeJson.Read(DispatchJson.ToElement(node));

    /// <summary>A token metric: absent means unknown; present, it must be a non-negative integer (null included).</summary>
    private static long? Tokens(JsonObject metrics, string name)
    {
        if (!metrics.TryGetPropertyValue(name, out JsonNode? node))
        {
            return null;
        }

        string label = "metrics." + name;
        if (!IpcFields.TryGetInt64(node, out long value))
        {
            throw KernelErrors.Validation(label + " must be an integer");
        }

        return value < 0 ? throw IpcFields.Negative(label, value) : value;
    }
}
