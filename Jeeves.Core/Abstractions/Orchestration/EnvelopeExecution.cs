using System.Collections.Immutable;
using System.Text.Json;

namespace Jeeves;

/// <summary>
/// Represents multi-stage goal tracking, carried for agents and not interpreted by the kernel.
/// </summary>
public sealed record EnvelopeExecution
{
    /// <summary>Gets the shared default instance (records are immutable, so one instance serves every envelope).</summary>
    internal static EnvelopeExecution Default { get; } = new();

    /// <summary>Gets the completed stage summaries (<c>completed_stages</c>).</summary>
    public ImmutableList<JsonElement> CompletedStages { get; init; } = [];

    /// <summary>Gets the current stage number (<c>current_stage_number</c>).</summary>
    /// <value>The default value is 1.</value>
    public int CurrentStageNumber { get; init; } = 1;

    /// <summary>Gets the most stages allowed (<c>max_stages</c>).</summary>
    /// <value>The default value is 5.</value>
    public int MaxStages { get; init; } = 5;

    /// <summary>Gets every goal (<c>all_goals</c>).</summary>
    public ImmutableList<string> AllGoals { get; init; } = [];

    /// <summary>Gets the goals not yet met (<c>remaining_goals</c>).</summary>
    public ImmutableList<string> RemainingGoals { get; init; } = [];

    /// <summary>Gets each goal's status (<c>goal_completion_status</c>).</summary>
    public ImmutableSortedDictionary<string, string> GoalCompletionStatus { get; init; } = EmptyCollections.TextByName;

    /// <summary>Gets earlier plans (<c>prior_plans</c>).</summary>
    public ImmutableList<JsonElement> PriorPlans { get; init; } = [];

    /// <summary>Gets feedback from earlier loops (<c>loop_feedback</c>).</summary>
    public ImmutableList<string> LoopFeedback { get; init; } = [];
}
