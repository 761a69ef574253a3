using System.Collections.Immutable;
using System.Text.Json;

namespace Jeeves;

/// <summary>
/// Represents the state of one request as it moves through a pipeline: identity, input, every agent's output,
/// position, budget counters, interrupts and audit trail.
/// </summary>
/// <remarks>
/// Envelopes are immutable: every change makes a new instance that shares what did not change, so a snapshot
/// handed to a worker can never change under it and costs nothing to take. JSON values are
/// <see cref="JsonElement"/>s for the same reason.
/// </remarks>
public sealed record Envelope
{
    /// <summary>Gets who and what the envelope belongs to (<c>identity</c>).</summary>
    public required EnvelopeIdentity Identity { get; init; }

    /// <summary>Gets the user's input (<c>raw_input</c>).</summary>
    public string RawInput { get; init; } = string.Empty;

    /// <summary>Gets when the request arrived (<c>received_at</c>).</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Gets each agent's latest output object, keyed by agent name (<c>outputs</c>).</summary>
    public ImmutableSortedDictionary<string, JsonElement> Outputs { get; init; } = EmptyCollections.ElementsByName;

    /// <summary>Gets where the run stands (<c>pipeline</c>).</summary>
    public EnvelopePipeline Pipeline { get; init; } = EnvelopePipeline.Default;

    /// <summary>Gets the budget counters (<c>bounds</c>).</summary>
    public EnvelopeBounds Bounds { get; init; } = EnvelopeBounds.Default;

    /// <summary>Gets the interrupt state (<c>interrupts</c>).</summary>
    public EnvelopeInterrupts Interrupts { get; init; } = EnvelopeInterrupts.None;

    /// <summary>Gets goal tracking (<c>execution</c>).</summary>
    public EnvelopeExecution Execution { get; init; } = EnvelopeExecution.Default;

    /// <summary>Gets the audit trail (<c>audit</c>).</summary>
    public EnvelopeAudit Audit { get; init; } = EnvelopeAudit.Default;

    /// <summary>Creates an envelope with the reference defaults.</summary>
    /// <param name="now">The creation time, used for <see cref="ReceivedAt"/> and the audit's creation time.</param>
    /// <param name="options">The optional settings.</param>
    /// <returns>The envelope.</returns>
    public static Envelope Create(DateTimeOffset now, CreateEnvelopeOptions? options = null)
    {
        var envelope = new Envelope
        {
            Identity = new EnvelopeIdentity(
                NewId("env_"),
                string.IsNullOrEmpty(options?.RequestId) ? NewId("req_") : options.RequestId,
                string.IsNullOrEmpty(options?.UserId) ? "anonymous" : options.UserId,
                string.IsNullOrEmpty(options?.SessionId) ? NewId("sess_") : options.SessionId),
            RawInput = options?.RawInput ?? string.Empty,
            ReceivedAt = now,
            Audit = new EnvelopeAudit { CreatedAt = now },
        };

        if (options?.StageOrder is { Count: > 0 } order)
        {
            envelope = envelope with { Pipeline = envelope.Pipeline with { StageOrder = [.. order], CurrentStage = order[0] } };
        }

        return envelope;
    }

    /// <summary>
    /// Reads an envelope from its JSON form, as <see cref="ToJson"/> writes it and the reference protocol sends it.
    /// </summary>
    /// <remarks>
    /// Reading is strict: every required key must be present and not null, every value must have its type, and enum
    /// spellings are case-sensitive. Unknown keys are ignored, and an optional key that is absent or null means none
    /// (<c>active_stages</c>, <c>completed_stage_set</c>, <c>failed_stages</c> and <c>parallel_mode</c> default to
    /// empty and false). Timestamps must be RFC 3339 with an offset and are converted to UTC.
    /// </remarks>
    /// <param name="json">The JSON text: one object.</param>
    /// <returns>The envelope.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is <see langword="null"/>.</exception>
    /// <exception cref="KernelException">
    /// The text is not JSON or not a valid envelope (<see cref="KernelErrorCode.InvalidArgument"/>); the message is
    /// <c>validation error: Invalid envelope: </c> and the problem, naming its path, such as
    /// <c>missing field pipeline.current_stage</c>.
    /// </exception>
    public static Envelope FromJson(string json) => EnvelopeJson.Parse(json);

    /// <summary>
    /// Writes the envelope in its JSON form (compact), the shape the reference protocol uses, so it can be stored or
    /// inspected and read back with <see cref="FromJson"/>.
    /// </summary>
    /// <remarks>
    /// Optional fields that are none are left out, as are <c>active_stages</c>, <c>completed_stage_set</c> and
    /// <c>failed_stages</c> when empty. Sets and map keys are written in ordinal order; JSON values as stored.
    /// Timestamps are RFC 3339 in UTC with a <c>Z</c> and no more fractional digits than needed (none, 3, 6 or 7), such
    /// as <c>2026-01-01T00:00:00Z</c> or <c>2026-01-01T00:00:00.123Z</c>.
    /// </remarks>
    /// <returns>The JSON text.</returns>
    public string ToJson() => EnvelopeJson.ToJson(this);

    /// <summary>Creates an identical envelope with a fresh <see cref="EnvelopeIdentity.EnvelopeId"/>.</summary>
    /// <returns>The copy.</returns>
    public Envelope CloneWithNewId() => this with { Identity = Identity with { EnvelopeId = NewId("env_") } };

    /// <summary>Creates an id: the prefix followed by 16 lower-case hex digits.</summary>
    /// <param name="prefix">The prefix, such as <c>env_</c>.</param>
    /// <returns>The id.</returns>
    internal static string NewId(string prefix) => RandomIds.NewHexId(prefix, 16);
}
