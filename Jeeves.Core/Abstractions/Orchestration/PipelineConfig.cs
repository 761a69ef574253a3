namespace Jeeves;

/// <summary>
/// Represents a pipeline: stages of agents joined by routing rules, with budgets for the run.
/// </summary>
public sealed record PipelineConfig
{
    /// <summary>Gets the pipeline name; must not be empty (<c>name</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the stages in declaration order; the first is where a run starts (<c>agents</c> on the wire).</summary>
    public required IReadOnlyList<PipelineStage> Stages { get; init; }

    /// <summary>Gets how many times a run may loop back before it ends (<c>max_iterations</c>). A linear pipeline never loops back.</summary>
    /// <value>The default value is 3.</value>
    public int MaxIterations { get; init; } = 3;

    /// <summary>Gets how many LLM calls a run may make (<c>max_llm_calls</c>).</summary>
    /// <value>The default value is 10.</value>
    public int MaxLlmCalls { get; init; } = 10;

    /// <summary>Gets how many agent runs a run may make (<c>max_agent_hops</c>).</summary>
    /// <value>The default value is 21.</value>
    public int MaxAgentHops { get; init; } = 21;

    /// <summary>Gets the per-edge traversal caps; the first entry for an edge applies (<c>edge_limits</c>).</summary>
    public IReadOnlyList<EdgeLimit> EdgeLimits { get; init; } = [];

    /// <summary>
    /// Gets, per interrupt kind, the stage a run continues from once an interrupt of that kind is resolved. Kinds not
    /// listed continue from the stage that raised the interrupt.
    /// </summary>
    public IReadOnlyDictionary<InterruptKind, string> ResumeStages { get; init; } = new Dictionary<InterruptKind, string>();
}
