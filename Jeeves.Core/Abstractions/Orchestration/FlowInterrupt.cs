using System.Text.Json;

namespace Jeeves;

/// <summary>
/// Represents the interrupt a run waits for, as carried in its envelope.
/// </summary>
public sealed record FlowInterrupt
{
    /// <summary>Gets the kind (<c>kind</c>).</summary>
    public InterruptKind Kind { get; init; }

    /// <summary>Gets the interrupt id (<c>id</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Gets the question asked (<c>question</c>).</summary>
    public string? Question { get; init; }

    /// <summary>Gets the message shown (<c>message</c>).</summary>
    public string? Message { get; init; }

    /// <summary>Gets structured context (<c>data</c>).</summary>
    public JsonElement? Data { get; init; }

    /// <summary>Gets the answer, once resolved (<c>response</c>).</summary>
    public InterruptResponse? Response { get; init; }

    /// <summary>Gets when the interrupt was raised (<c>created_at</c>).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when it expires, if it does (<c>expires_at</c>).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}
