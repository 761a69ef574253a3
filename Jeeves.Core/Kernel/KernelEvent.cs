using System.Text.Json.Nodes;

namespace Jeeves.Kernel;

/// <summary>A lifecycle event raised by the kernel, published on the message bus with source <c>kernel</c>.</summary>
/// <param name="EventType">The event type, for example <c>process.created</c>.</param>
/// <param name="Timestamp">When the event happened.</param>
/// <param name="Payload">The event's fields.</param>
internal sealed record KernelEvent(string EventType, DateTimeOffset Timestamp, JsonObject Payload)
{
    public const string Source = "kernel";
}
