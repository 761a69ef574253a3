namespace Jeeves.Ipc;

/// <summary>The message types of the frame's type byte (spec/ipc.md §1.3). No other values are defined.</summary>
/// <remarks>
/// A frame read from the wire may carry any byte; the reader passes it through as a <see cref="FrameType"/> value
/// that is none of these, so the host can answer <c>Unexpected message type: 0x7F</c> (R5).
/// </remarks>
internal enum FrameType : byte
{
    /// <summary><c>MSG_REQUEST</c>: client to server, a request map (§2.1).</summary>
    Request = 0x01,

    /// <summary><c>MSG_RESPONSE</c>: server to client, a success map (§2.2).</summary>
    Response = 0x02,

    /// <summary><c>MSG_STREAM_CHUNK</c>: server to client, one event of a stream (§2.4).</summary>
    StreamChunk = 0x03,

    /// <summary><c>MSG_STREAM_END</c>: server to client, the end of a stream (§2.4).</summary>
    StreamEnd = 0x04,

    /// <summary><c>MSG_ERROR</c>: server to client, an error map (§2.3).</summary>
    Error = 0xFF,
}
