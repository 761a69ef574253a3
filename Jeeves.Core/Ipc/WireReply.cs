using System.Text.Json.Nodes;

namespace Jeeves.Ipc;

/// <summary>A frame the server sent, as a client reads it (spec/ipc.md §2.2–§2.4, §4.3).</summary>
/// <param name="Type">The frame type: <see cref="FrameType.Response"/>, <see cref="FrameType.Error"/>, <see cref="FrameType.StreamChunk"/> or <see cref="FrameType.StreamEnd"/>.</param>
/// <param name="Id">The echoed request id; empty when the server could not tell it (R5–R7) or the map had none.</param>
/// <param name="Ok">The <c>ok</c> flag of a response or error; <see langword="true"/> for stream frames, which have none.</param>
/// <param name="Body">The <c>body</c> of a response or chunk.</param>
/// <param name="Error">The <c>error</c> map of a failure (<c>code</c>, <c>message</c>, and in the queue-full case <c>retryable</c> and <c>kernel_queue_capacity</c>).</param>
internal readonly record struct WireReply(FrameType Type, string Id, bool Ok, JsonNode? Body, JsonObject? Error)
{
    /// <summary>Gets the error code of a failure (<c>NOT_FOUND</c>…), or <see langword="null"/>.</summary>
    public string? ErrorCode => GetString(Error, "code");

    /// <summary>Gets the error message of a failure, or <see langword="null"/>.</summary>
    public string? ErrorMessage => GetString(Error, "message");

    /// <summary>Gets a value indicating whether this reply is a failure: an error frame, or a response with <c>ok: false</c> (which the Python client also accepts).</summary>
    public bool IsFailure => Type == FrameType.Error || (Type == FrameType.Response && !Ok);

    private static string? GetString(JsonObject? map, string key) =>
        map is not null && map.TryGetPropertyValue(key, out JsonNode? node) && node is JsonValue value && value.TryGetValue(out string? text) ? text : null;
}
