using System.Text.Json;

namespace Jeeves;

/// <summary>
/// Represents a command sent on the message bus to the one handler registered for its type.
/// </summary>
/// <param name="CommandType">The command type (<c>command_type</c>).</param>
/// <param name="Payload">The command data; an empty JSON object when the sender gave none (<c>payload</c>).</param>
/// <param name="Source">The sender; may be empty (<c>source</c>).</param>
public sealed record BusCommand(string CommandType, JsonElement Payload, string Source);
