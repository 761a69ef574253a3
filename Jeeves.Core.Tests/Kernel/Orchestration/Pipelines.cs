using System.Text.Json.Nodes;
using Jeeves.Kernel;

namespace Jeeves.Tests.Kernel.Orchestration;

/// <summary>Pipelines and envelopes shared by the orchestration tests.</summary>
internal static class Pipelines
{
    public static PipelineConfig Linear(params string[] stages) => new()
    {
        Name = "linear",
        Stages = stages.Select((s, i) => new PipelineStage(s, "agent_" + s, i + 1 < stages.Length ? [RoutingRule.Always(stages[i + 1])] : [])).ToArray(),
        MaxIterations = 10,
        MaxLlmCalls = 50,
        MaxAgentHops = 20,
    };

    /// <summary>The worked example of the reference (§9): understand → think → respond, with a capped loop-back.</summary>
    public static PipelineConfig Qa(int maxIterations = 10) => new()
    {
        Name = "qa",
        Stages =
        [
            new("understand", "understander", [RoutingRule.Always("think")]),
            new("think", "thinker", [RoutingRule.When("needs_more_info", true, "understand"), RoutingRule.Always("respond")]),
            new("respond", "responder"),
        ],
        MaxIterations = maxIterations,
        MaxLlmCalls = 20,
        MaxAgentHops = 10,
        EdgeLimits = [new EdgeLimit("think", "understand", 1)],
    };

    public static Envelope NewEnvelope(string currentStage = "", string user = "user1") =>
        Envelope.Create(TestKernel.Epoch, new CreateEnvelopeOptions { UserId = user, RawInput = "What is the capital of France?" })
            with { Pipeline = new EnvelopePipeline { CurrentStage = currentStage } };

    public static AgentResult Result(string agent, string outputJson = "{}", int llm = 0) => new()
    {
        AgentName = agent,
        Output = JsonNode.Parse(outputJson)!.AsObject(),
        Metrics = new AgentExecutionMetrics { LlmCalls = llm },
    };

    public static KernelCore WithSession(out ProcessId pid, PipelineConfig config, RecordingEventSink? events = null, Envelope? envelope = null)
    {
        var core = TestKernel.CreateUnlimited(out _, events);
        pid = new ProcessId("p1");
        core.InitializeSession(pid, config, envelope ?? NewEnvelope());
        return core;
    }
}
