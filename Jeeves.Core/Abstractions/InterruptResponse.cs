using System.Text.Json;

namespace Jeeves;

/// <summary>
/// Represents a human's answer to an interrupt.
/// </summary>
public sealed record InterruptResponse
{
    /// <summary>Gets the free-text answer (<c>text</c>).</summary>
    public string? Text { get; init; }

    /// <summary>Gets the approval decision for a confirmation (<c>approved</c>).</summary>
    public bool? Approved { get; init; }

    /// <summary>Gets a named decision (<c>decision</c>).</summary>
    public string? Decision { get; init; }

    /// <summary>Gets structured data (<c>data</c>); immutable, so a response can be shared safely.</summary>
    public JsonElement? Data { get; init; }

    /// <summary>Gets when the kernel received the answer; set by the kernel, any value sent is replaced.</summary>
    public DateTimeOffset? ReceivedAt { get; init; }

    /// <summary>Gets a value indicating whether the response carries any answer at all.</summary>
    public bool HasContent => Text is not null || Approved is not null || Decision is not null || Data is not null;
}
