using System.Text.Json.Nodes;

namespace Jeeves.Gateway;

/// <summary>
/// Represents an interrupt as the gateway shows it to its owner (the <c>InterruptDetail</c> of the HTTP API).
/// </summary>
/// <param name="Id">The interrupt id.</param>
/// <param name="Kind">The kind, spelled as on the wire (<c>clarification</c>, <c>agent_review</c>, …).</param>
/// <param name="RequestId">The request the interrupt belongs to; may be empty.</param>
/// <param name="UserId">The owner.</param>
/// <param name="SessionId">The session the interrupt belongs to; may be empty.</param>
/// <param name="EnvelopeId">The envelope the interrupt belongs to, or <see langword="null"/>.</param>
/// <param name="Question">The question (clarifications), or <see langword="null"/>.</param>
/// <param name="Message">The message (confirmations and system interrupts), or <see langword="null"/>.</param>
/// <param name="Data">The structured data.</param>
/// <param name="Status"><c>pending</c>, <c>resolved</c>, <c>expired</c> or <c>cancelled</c>.</param>
/// <param name="CreatedAt">When it was raised, UTC ISO-8601 with <c>Z</c>.</param>
/// <param name="ExpiresAt">When it expires, or <see langword="null"/> for a kind without a time to live.</param>
/// <param name="ResolvedAt">When it was answered, or <see langword="null"/>.</param>
public sealed record InterruptView(
    string Id,
    string Kind,
    string RequestId,
    string UserId,
    string SessionId,
    string? EnvelopeId,
    string? Question,
    string? Message,
    JsonObject? Data,
    string Status,
    string CreatedAt,
    string? ExpiresAt,
    string? ResolvedAt)
{
    /// <summary>Creates the view of a kernel interrupt.</summary>
    /// <param name="interrupt">The interrupt.</param>
    /// <returns>The view.</returns>
    public static InterruptView From(KernelInterrupt interrupt)
    {
        ArgumentNullException.ThrowIfNull(interrupt);
        return new InterruptView(
            interrupt.Id,
            WireNames.ToWire(interrupt.Kind),
            interrupt.RequestId,
            interrupt.UserId,
            interrupt.SessionId,
            string.IsNullOrEmpty(interrupt.EnvelopeId) ? null : interrupt.EnvelopeId,
            interrupt.Question,
            interrupt.Message,
            interrupt.Data?.DeepClone().AsObject(),
            WireNames.ToWire(interrupt.Status),
            GatewayText.Iso(interrupt.CreatedAt),
            GatewayText.Iso(interrupt.ExpiresAt),
            GatewayText.Iso(interrupt.ResolvedAt));
    }
}

/// <summary>
/// Represents the interrupts listed for a caller.
/// </summary>
/// <param name="Interrupts">The interrupts, in the order they were raised.</param>
/// <param name="Total">How many interrupts are listed (after the filters and the limit).</param>
public sealed record InterruptList(IReadOnlyList<InterruptView> Interrupts, int Total);

/// <summary>
/// Represents the result of answering an interrupt.
/// </summary>
/// <param name="Success">Always <see langword="true"/>: a failure is a <see cref="GatewayResult{T}"/> outcome instead.</param>
/// <param name="Interrupt">The interrupt as it is now.</param>
/// <param name="RequestCanResume">Whether the paused run can go on; a run waiting on the interrupt resumes by itself.</param>
public sealed record InterruptRespondResult(bool Success, InterruptView Interrupt, bool RequestCanResume);
