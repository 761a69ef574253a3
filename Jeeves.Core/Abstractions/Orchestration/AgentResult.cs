using System.Text.Json.Nodes;

namespace Jeeves;

/// <summary>
/// Represents what a worker reports after running the agent it was instructed to run.
/// </summary>
public sealed record AgentResult
{
    /// <summary>Gets the agent that ran; it must be the agent the kernel instructed (<c>agent_name</c>).</summary>
    public required string AgentName { get; init; }

    /// <summary>Gets a value indicating whether the agent succeeded (<c>success</c>).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Success { get; init; } = true;

    /// <summary>Gets the failure message when <see cref="Success"/> is false (<c>error</c>).</summary>
    public string Error { get; init; } = string.Empty;

    /// <summary>Gets the agent's output; routing reads its top-level keys (<c>output</c>).</summary>
    public JsonObject? Output { get; init; }

    /// <summary>Gets what the run consumed (<c>metrics</c>).</summary>
    public AgentExecutionMetrics Metrics { get; init; } = new();

    /// <summary>
    /// Gets an interrupt the agent raises: the run pauses after this result is recorded, and continues from the
    /// pipeline's resume stage for the kind once the interrupt is resolved. Its process id is ignored.
    /// </summary>
    public CreateInterruptRequest? Interrupt { get; init; }
}
