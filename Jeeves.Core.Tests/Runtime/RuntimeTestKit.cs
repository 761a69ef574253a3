using System.Text.Json.Nodes;
using Jeeves.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Runtime;

/// <summary>Builds small capabilities and runners over a real in-process kernel.</summary>
internal static class RuntimeTestKit
{
    public static JsonObject Obj(params (string Key, JsonNode? Value)[] fields)
    {
        var o = new JsonObject();
        foreach ((string key, JsonNode? value) in fields)
        {
            o[key] = value;
        }

        return o;
    }

    public static AgentDefinition Code(string name, Func<AgentContext, JsonObject> body) =>
        new() { Name = name, Handler = (ctx, _) => ValueTask.FromResult(body(ctx)) };

    /// <summary>understand → think (loops back to understand while <c>again</c> is true) → respond.</summary>
    public static PipelineConfig ThreeStages(int maxIterations = 5, int maxLlmCalls = 10, int maxAgentHops = 21) => new()
    {
        Name = "qa",
        Stages =
        [
            new PipelineStage("understand", "understand", [RoutingRule.Always("think")]),
            new PipelineStage("think", "think", [RoutingRule.When("again", true, "understand"), RoutingRule.Always("respond")]),
            new PipelineStage("respond", "respond"),
        ],
        MaxIterations = maxIterations,
        MaxLlmCalls = maxLlmCalls,
        MaxAgentHops = maxAgentHops,
        ResumeStages = new Dictionary<InterruptKind, string> { [InterruptKind.Clarification] = "understand" },
    };

    public static CapabilityDefinition Capability(PipelineConfig pipeline, params AgentDefinition[] agents)
    {
        var builder = new CapabilityBuilder("test");
        foreach (AgentDefinition agent in agents)
        {
            builder.AddAgent(agent);
        }

        return builder.AddPipeline(pipeline).Build();
    }

    public static PipelineRunner Runner(IKernelClient kernel, CapabilityDefinition capability, FakeTimeProvider time, PipelineRunnerOptions? options = null) =>
        new(kernel, new CapabilityRegistry([capability]), options, time);

    public static async Task<List<RunEvent>> CollectAsync(IAsyncEnumerable<RunEvent> events)
    {
        var list = new List<RunEvent>();
        await foreach (RunEvent e in events)
        {
            list.Add(e);
        }

        return list;
    }
}
