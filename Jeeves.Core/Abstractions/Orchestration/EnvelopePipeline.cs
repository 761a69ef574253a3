using System.Collections.Immutable;

namespace Jeeves;

/// <summary>
/// Represents where a run stands in its pipeline.
/// </summary>
public sealed record EnvelopePipeline
{
    /// <summary>Gets the shared default instance (records are immutable, so one instance serves every envelope).</summary>
    internal static EnvelopePipeline Default { get; } = new();

    /// <summary>Gets the stage that runs next, or ran last once the run ended (<c>current_stage</c>).</summary>
    /// <value>The default value is <c>start</c>.</value>
    public string CurrentStage { get; init; } = "start";

    /// <summary>Gets the declared stage names, set when a session starts (<c>stage_order</c>).</summary>
    public ImmutableArray<string> StageOrder { get; init; } = [];

    /// <summary>Gets how many times the run looped back to an earlier or the same stage (<c>iteration</c>).</summary>
    public int Iteration { get; init; }

    /// <summary>Gets the loop-back budget, set when a session starts (<c>max_iterations</c>).</summary>
    /// <value>The default value is 3.</value>
    public int MaxIterations { get; init; } = 3;

    /// <summary>Gets the stages marked as running (<c>active_stages</c>).</summary>
    public ImmutableSortedSet<string> ActiveStages { get; init; } = EmptyCollections.Names;

    /// <summary>Gets the stages whose agent succeeded at least once (<c>completed_stage_set</c>).</summary>
    public ImmutableSortedSet<string> CompletedStageSet { get; init; } = EmptyCollections.Names;

    /// <summary>Gets the stages whose agent last failed, with the error (<c>failed_stages</c>).</summary>
    public ImmutableSortedDictionary<string, string> FailedStages { get; init; } = EmptyCollections.TextByName;

    /// <summary>Gets a placeholder flag carried for compatibility (<c>parallel_mode</c>).</summary>
    public bool ParallelMode { get; init; }
}
