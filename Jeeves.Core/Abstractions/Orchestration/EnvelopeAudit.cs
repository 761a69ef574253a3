using System.Collections.Immutable;
using System.Text.Json;

namespace Jeeves;

/// <summary>
/// Represents a run's audit trail.
/// </summary>
public sealed record EnvelopeAudit
{
    /// <summary>Gets the shared default instance (records are immutable, so one instance serves every envelope).</summary>
    internal static EnvelopeAudit Default { get; } = new();

    /// <summary>Gets one record per agent run, in order (<c>processing_history</c>).</summary>
    public ImmutableList<ProcessingRecord> ProcessingHistory { get; init; } = [];

    /// <summary>Gets the error log (<c>errors</c>).</summary>
    public ImmutableList<JsonElement> Errors { get; init; } = [];

    /// <summary>Gets when the envelope was created (<c>created_at</c>).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the run ended; set once (<c>completed_at</c>).</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Gets free-form metadata; it also receives unknown update keys (<c>metadata</c>).</summary>
    public ImmutableSortedDictionary<string, JsonElement> Metadata { get; init; } = EmptyCollections.ElementsByName;
}
