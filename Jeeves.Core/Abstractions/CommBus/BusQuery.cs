using System.Text.Json;

namespace Jeeves;

/// <summary>
/// Represents a query sent on the message bus to the one handler registered for its type, which must answer within
/// <see cref="Timeout"/>.
/// </summary>
/// <param name="QueryType">The query type (<c>query_type</c>).</param>
/// <param name="Payload">The query data; an empty JSON object when the sender gave none (<c>payload</c>).</param>
/// <param name="Source">The sender; may be empty (<c>source</c>).</param>
/// <param name="Timeout">The time the handler has to answer, after defaults and caps were applied (<c>timeout_ms</c>).</param>
public sealed record BusQuery(string QueryType, JsonElement Payload, string Source, TimeSpan Timeout);
