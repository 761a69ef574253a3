using System.Text.Json;

namespace Jeeves;

/// <summary>
/// Represents an event published on the message bus and delivered to every subscription whose patterns match it.
/// </summary>
/// <remarks>
/// One instance is shared by every subscriber that receives it. <see cref="JsonElement"/> is read-only, so sharing is
/// safe, provided the element does not come from a <see cref="JsonDocument"/> that is disposed later: pass
/// <see cref="JsonElement.Clone"/> when in doubt.
/// </remarks>
/// <param name="EventType">The event type, by convention dotted and lower-case (<c>process.created</c>) (<c>event_type</c>).</param>
/// <param name="Payload">The event data; an empty JSON object when the publisher gave none (<c>payload</c>).</param>
/// <param name="Timestamp">When the event was published (<c>timestamp_ms</c>).</param>
/// <param name="Source">The publisher, for example a pid or <c>kernel</c>; may be empty (<c>source</c>).</param>
public sealed record BusEvent(string EventType, JsonElement Payload, DateTimeOffset Timestamp, string Source);
