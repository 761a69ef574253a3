namespace Jeeves.Ipc;

/// <summary>
/// Reports an inbound frame the server cannot serve: either the connection must close without a reply (R2–R4), or
/// an <c>INVALID_ARGUMENT</c> error frame carrying <see cref="Exception.Message"/> and <see cref="RequestId"/> is due
/// and the connection stays open (R5–R7).
/// </summary>
/// <remarks>
/// For the error-frame faults <see cref="Exception.Message"/> is exactly the wire message of spec/ipc.md §1.4
/// (<c>Unexpected message type: 0x02</c>, <c>Invalid msgpack: …</c>, <c>Missing required request field: id</c>),
/// and the error code is always <see cref="KernelErrorCode.InvalidArgument"/>.
/// </remarks>
internal sealed class FrameException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="FrameException"/> class with <see cref="FrameFault.InvalidMsgpack"/>.</summary>
    public FrameException()
        : this(FrameFault.InvalidMsgpack, "Invalid msgpack")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="FrameException"/> class with <see cref="FrameFault.InvalidMsgpack"/>.</summary>
    /// <param name="message">The wire message.</param>
    public FrameException(string message)
        : this(FrameFault.InvalidMsgpack, message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="FrameException"/> class with <see cref="FrameFault.InvalidMsgpack"/>.</summary>
    /// <param name="message">The wire message.</param>
    /// <param name="innerException">The decoder's exception.</param>
    public FrameException(string message, Exception? innerException)
        : this(FrameFault.InvalidMsgpack, message, string.Empty, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="FrameException"/> class.</summary>
    /// <param name="fault">What is wrong.</param>
    /// <param name="message">The wire message (R5–R7) or a description for the log (R2–R4).</param>
    /// <param name="requestId">The id to echo in the error frame; empty when it is not known.</param>
    /// <param name="innerException">The decoder's exception, if any.</param>
    public FrameException(FrameFault fault, string message, string requestId = "", Exception? innerException = null)
        : base(message, innerException)
    {
        Fault = fault;
        RequestId = requestId;
    }

    /// <summary>Gets what is wrong with the frame.</summary>
    public FrameFault Fault { get; }

    /// <summary>Gets a value indicating whether the connection must close without sending anything (R2–R4).</summary>
    public bool ClosesConnection => Fault is FrameFault.TooLarge or FrameFault.TooShort or FrameFault.Truncated;

    /// <summary>Gets the request id the error frame echoes: the request's id once it is known to be a non-empty string, else empty.</summary>
    public string RequestId { get; }

    internal static FrameException TooLarge(uint length, int max) =>
        new(FrameFault.TooLarge, $"Frame too large: {length} bytes (max {max})");

    internal static FrameException TooShort() =>
        new(FrameFault.TooShort, "Frame too short: missing type byte");

    internal static FrameException Truncated(long expected, long received) =>
        new(FrameFault.Truncated, $"Connection closed inside a frame: expected {expected} bytes, received {received}");

    internal static FrameException UnexpectedType(FrameType type) =>
        new(FrameFault.UnexpectedType, $"Unexpected message type: 0x{(byte)type:X2}");

    internal static FrameException InvalidMsgpack(string detail, Exception? inner = null) =>
        new(FrameFault.InvalidMsgpack, "Invalid msgpack: " + detail, string.Empty, inner);

    internal static FrameException MissingField(string name, string requestId) =>
        new(FrameFault.MissingField, "Missing required request field: " + name, requestId);
}
