namespace Jeeves;

/// <summary>
/// Represents one stage of a pipeline: the agent it runs and where the run goes next.
/// </summary>
/// <param name="Name">The stage name (<c>name</c>).</param>
/// <param name="Agent">The agent the stage runs; several stages may share one (<c>agent</c>).</param>
/// <param name="Routing">The rules, tried in order; the first match wins and no match completes the run (<c>routing</c>).</param>
public sealed record PipelineStage(string Name, string Agent, IReadOnlyList<RoutingRule> Routing)
{
    /// <summary>Initializes a new instance of the <see cref="PipelineStage"/> record with no routing rules.</summary>
    /// <param name="name">The stage name.</param>
    /// <param name="agent">The agent the stage runs.</param>
    public PipelineStage(string name, string agent)
        : this(name, agent, [])
    {
    }
}
