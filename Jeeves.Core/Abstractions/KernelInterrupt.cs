using System.Text.Json.Nodes;

namespace Jeeves;

/// <summary>
/// Represents a snapshot of an interrupt: a pause in a run that waits for a human or the system.
/// </summary>
/// <remarks>Snapshots own copies of their JSON data; changing them does not change the kernel's interrupt.</remarks>
public sealed record KernelInterrupt
{
    /// <summary>Gets the id: <c>int_</c> followed by 16 lower-case hex digits.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the kind.</summary>
    public InterruptKind Kind { get; init; }

    /// <summary>Gets the status.</summary>
    public InterruptStatus Status { get; init; }

    /// <summary>Gets the request id; may be empty.</summary>
    public string RequestId { get; init; } = string.Empty;

    /// <summary>Gets the owning user id; may be empty.</summary>
    public string UserId { get; init; } = string.Empty;

    /// <summary>Gets the session id; may be empty.</summary>
    public string SessionId { get; init; } = string.Empty;

    /// <summary>Gets the envelope id; may be empty.</summary>
    public string EnvelopeId { get; init; } = string.Empty;

    /// <summary>Gets the process the interrupt paused, if it was raised for one.</summary>
    public ProcessId? ProcessId { get; init; }

    /// <summary>Gets the question, if any.</summary>
    public string? Question { get; init; }

    /// <summary>Gets the message, if any.</summary>
    public string? Message { get; init; }

    /// <summary>Gets the structured data; <c>{}</c> when none was given, and it holds <c>cancel_reason</c> after a cancel.</summary>
    public JsonObject? Data { get; init; }

    /// <summary>Gets the response, once resolved.</summary>
    public InterruptResponse? Response { get; init; }

    /// <summary>Gets when the interrupt was raised.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the interrupt expires, or <see langword="null"/> for a kind without a time to live.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Gets when the interrupt was resolved.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>Gets when the interrupt left <see cref="InterruptStatus.Pending"/> by any route (resolve, cancel or expiry).</summary>
    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>Gets the trace id, if any.</summary>
    public string? TraceId { get; init; }

    /// <summary>Gets the span id, if any.</summary>
    public string? SpanId { get; init; }
}
