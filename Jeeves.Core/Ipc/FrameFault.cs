namespace Jeeves.Ipc;

/// <summary>What is wrong with an inbound frame, in the order of the server's read path (spec/ipc.md §1.4).</summary>
internal enum FrameFault
{
    /// <summary>R2: <c>len</c> is above the configured maximum. The connection closes without a frame.</summary>
    TooLarge,

    /// <summary>R3: <c>len</c> is 0, so there is no type byte. The connection closes without a frame.</summary>
    TooShort,

    /// <summary>R4: the stream ended inside the frame's body. The connection closes without a frame.</summary>
    Truncated,

    /// <summary>R5: the type byte is not <see cref="FrameType.Request"/>. An error frame is due; the connection stays open.</summary>
    UnexpectedType,

    /// <summary>R6: the payload is not one acceptable MessagePack value. An error frame is due; the connection stays open.</summary>
    InvalidMsgpack,

    /// <summary>R7: a request field is missing or invalid. An error frame is due; the connection stays open.</summary>
    MissingField,
}
