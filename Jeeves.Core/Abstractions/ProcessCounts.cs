namespace Jeeves;

/// <summary>
/// Represents how many processes are in each state.
/// </summary>
/// <param name="ByState">The count for every one of the seven states; every state is present.</param>
/// <param name="Total">The number of processes.</param>
/// <param name="QueueDepth">The number of processes queued to run.</param>
public sealed record ProcessCounts(IReadOnlyDictionary<ProcessState, int> ByState, int Total, int QueueDepth);
