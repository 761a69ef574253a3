namespace Jeeves;

/// <summary>
/// Represents a cap on how many times the run may go from one stage to another.
/// </summary>
/// <param name="FromStage">The stage the edge leaves (<c>from_stage</c>).</param>
/// <param name="ToStage">The stage the edge enters (<c>to_stage</c>).</param>
/// <param name="MaxCount">How many traversals are allowed; the next one ends the run with <see cref="TerminalReason.MaxAgentHopsExceeded"/> (<c>max_count</c>).</param>
public sealed record EdgeLimit(string FromStage, string ToStage, int MaxCount);
