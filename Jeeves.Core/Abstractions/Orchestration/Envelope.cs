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
    public ImmutableSortedDictionary<string, JsonElement> Outputs { get; init; } = ImmutableSortedDictionary.Create<string, JsonElement>(StringComparer.Ordinal);

    /// <summary>Gets where the run stands (<c>pipeline</c>).</summary>
    public EnvelopePipeline Pipeline { get; init; } = new();

    /// <summary>Gets the budget counters (<c>bounds</c>).</summary>
    public EnvelopeBounds Bounds { get; init; } = new();

    /// <summary>Gets the interrupt state (<c>interrupts</c>).</summary>
    public EnvelopeInterrupts Interrupts { get; init; } = new();

    /// <summary>Gets goal tracking (<c>execution</c>).</summary>
    public EnvelopeExecution Execution { get; init; } = new();

    /// <summary>Gets the audit trail (<c>audit</c>).</summary>
    public EnvelopeAudit Audit { get; init; } = new();

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

    /// <summary>Creates an identical envelope with a fresh <see cref="EnvelopeIdentity.EnvelopeId"/>.</summary>
    /// <returns>The copy.</returns>
    public Envelope CloneWithNewId() => this with { Identity = Identity with { EnvelopeId = NewId("env_") } };

    /// <summary>Creates an id: the prefix followed by 16 lower-case hex digits.</summary>
    /// <param name="prefix">The prefix, such as <c>env_</c>.</param>
    /// <returns>The id.</returns>
    internal static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..16];
}
