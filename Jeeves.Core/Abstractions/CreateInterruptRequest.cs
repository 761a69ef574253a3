using System.Text.Json.Nodes;

namespace Jeeves;

/// <summary>
/// Represents a request to raise an interrupt.
/// </summary>
public sealed record CreateInterruptRequest
{
    /// <summary>Gets the kind of interrupt.</summary>
    public required InterruptKind Kind { get; init; }

    /// <summary>Gets the request the interrupt belongs to; may be empty.</summary>
    public string RequestId { get; init; } = string.Empty;

    /// <summary>Gets the user who owns the interrupt and alone may resolve it; may be empty.</summary>
    public string UserId { get; init; } = string.Empty;

    /// <summary>Gets the session the interrupt belongs to; may be empty.</summary>
    public string SessionId { get; init; } = string.Empty;

    /// <summary>Gets the envelope the interrupt belongs to; may be empty.</summary>
    public string EnvelopeId { get; init; } = string.Empty;

    /// <summary>Gets the question to ask (clarifications).</summary>
    public string? Question { get; init; }

    /// <summary>Gets the message to show (confirmations and system interrupts).</summary>
    public string? Message { get; init; }

    /// <summary>Gets structured context; the kernel keeps its own copy.</summary>
    public JsonObject? Data { get; init; }

    /// <summary>
    /// Gets the running process to pause, or <see langword="null"/> to raise a free-standing interrupt. When set, the
    /// process moves to <see cref="ProcessState.Waiting"/>, and resolving the interrupt moves it back to
    /// <see cref="ProcessState.Ready"/>.
    /// </summary>
    public ProcessId? ProcessId { get; init; }

    /// <summary>Gets the trace id to record, if any.</summary>
    public string? TraceId { get; init; }

    /// <summary>Gets the span id to record, if any.</summary>
    public string? SpanId { get; init; }
}
