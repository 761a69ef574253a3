using System.Buffers;
using System.Text.Json.Nodes;
using MessagePack;

namespace Jeeves.Ipc;

/// <summary>
/// The message maps of spec/ipc.md §2: parsing a request as the server validates it (R5–R7), writing the server's
/// replies with their keys in sorted order (§3.3), and the client's side of both.
/// </summary>
internal static class WireMessages
{
    /// <summary>Validates a request frame and returns its fields (R5–R7).</summary>
    /// <param name="frame">An inbound frame.</param>
    /// <returns>The request.</returns>
    /// <exception cref="FrameException">
    /// The frame is not a request (<see cref="FrameFault.UnexpectedType"/>), its payload is not an acceptable value
    /// (<see cref="FrameFault.InvalidMsgpack"/>), or a field is missing or invalid (<see cref="FrameFault.MissingField"/>).
    /// Each is answered with an error frame, and the connection stays open.
    /// </exception>
    public static WireRequest ParseRequest(in Frame frame) => ParseRequest(frame.Type, frame.Payload);

    /// <inheritdoc cref="ParseRequest(in Frame)"/>
    /// <param name="type">The frame's type byte.</param>
    /// <param name="payload">The frame's payload.</param>
    public static WireRequest ParseRequest(FrameType type, in ReadOnlySequence<byte> payload)
    {
        if (type != FrameType.Request)
        {
            // R5: the payload is not looked at.
            throw FrameException.UnexpectedType(type);
        }

        // R6 then R7: the whole payload is decoded before any field is checked, so a bin or ext anywhere, even deep
        // in the body, fails the request with id "".
        var reader = new MessagePackReader(payload);
        RequestFields fields;
        try
        {
            fields = ReadRequestFields(ref reader);
        }
        catch (Exception ex) when (WireValue.TranslateDecoderException(ex) is { } translated)
        {
            throw translated;
        }

        if (string.IsNullOrEmpty(fields.Id))
        {
            throw FrameException.MissingField("id", string.Empty);
        }

        string id = fields.Id;
        if (string.IsNullOrEmpty(fields.Service))
        {
            throw FrameException.MissingField("service", id);
        }

        if (string.IsNullOrEmpty(fields.Method))
        {
            throw FrameException.MissingField("method", id);
        }

        if (!fields.HasBody)
        {
            throw FrameException.MissingField("body", id);
        }

        return new WireRequest(id, fields.Service, fields.Method, fields.Body as JsonObject ?? []);
    }

    /// <summary>Reads a frame the server sent (the client side). Unknown keys are ignored; missing ones get defaults.</summary>
    /// <param name="frame">An inbound frame.</param>
    /// <returns>The reply.</returns>
    /// <exception cref="FrameException">
    /// The type is not one the server sends (<see cref="FrameFault.UnexpectedType"/>), or the payload is not an
    /// acceptable value (<see cref="FrameFault.InvalidMsgpack"/>).
    /// </exception>
    public static WireReply ParseReply(in Frame frame)
    {
        FrameType type = frame.Type;
        if (type is not (FrameType.Response or FrameType.Error or FrameType.StreamChunk or FrameType.StreamEnd))
        {
            throw FrameException.UnexpectedType(type);
        }

        if (WireValue.Decode(frame.Payload) is not JsonObject map)
        {
            return new WireReply(type, string.Empty, Ok: false, Body: null, Error: null);
        }

        string id = map["id"] is JsonValue idValue && idValue.TryGetValue(out string? text) ? text : string.Empty;
        bool ok = map["ok"] is JsonValue okValue && okValue.TryGetValue(out bool flag) ? flag : type != FrameType.Error;
        _ = map.Remove("body", out JsonNode? body);
        _ = map.Remove("error", out JsonNode? error);
        return new WireReply(type, id, ok, body, error as JsonObject);
    }

    /// <summary>Writes <c>{body, id, ok: true}</c> (§2.2).</summary>
    public static void WriteResponse(ref MessagePackWriter writer, string id, JsonNode? body)
    {
        writer.WriteMapHeader(3);
        writer.WriteString("body"u8);
        WireValue.Write(ref writer, body);
        WriteId(ref writer, id);
        writer.WriteString("ok"u8);
        writer.Write(true);
    }

    /// <summary>Writes <c>{body, id, ok: true}</c> (§2.2) for a handler's reply.</summary>
    public static void WriteResponse(ref MessagePackWriter writer, string id, in IpcReply body)
    {
        writer.WriteMapHeader(3);
        writer.WriteString("body"u8);
        body.Write(ref writer);
        WriteId(ref writer, id);
        writer.WriteString("ok"u8);
        writer.Write(true);
    }

    /// <summary>Writes <c>{error: {code, message}, id, ok: false}</c> (§2.3).</summary>
    public static void WriteError(ref MessagePackWriter writer, string id, KernelErrorCode code, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        writer.WriteMapHeader(3);
        writer.WriteString("error"u8);
        writer.WriteMapHeader(2);
        writer.WriteString("code"u8);
        writer.Write(WireNames.ToWire(code));
        writer.WriteString("message"u8);
        writer.Write(message);
        WriteId(ref writer, id);
        writer.WriteString("ok"u8);
        writer.Write(false);
    }

    /// <summary>Writes the queue-full error of §1.8: the only error map with fields besides <c>code</c> and <c>message</c>.</summary>
    public static void WriteQueueFull(ref MessagePackWriter writer, string id, int kernelQueueCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(kernelQueueCapacity);
        writer.WriteMapHeader(3);
        writer.WriteString("error"u8);
        writer.WriteMapHeader(4);
        writer.WriteString("code"u8);
        writer.WriteString("RESOURCE_EXHAUSTED"u8);
        writer.WriteString("kernel_queue_capacity"u8);
        writer.Write((uint)kernelQueueCapacity);
        writer.WriteString("message"u8);
        writer.WriteString("Kernel request queue is full; retry shortly"u8);
        writer.WriteString("retryable"u8);
        writer.Write(true);
        WriteId(ref writer, id);
        writer.WriteString("ok"u8);
        writer.Write(false);
    }

    /// <summary>Writes a stream chunk, <c>{body, id}</c> (§2.4).</summary>
    public static void WriteStreamChunk(ref MessagePackWriter writer, string id, JsonNode? body)
    {
        writer.WriteMapHeader(2);
        writer.WriteString("body"u8);
        WireValue.Write(ref writer, body);
        WriteId(ref writer, id);
    }

    /// <summary>Writes a stream end, <c>{id}</c> (§2.4).</summary>
    public static void WriteStreamEnd(ref MessagePackWriter writer, string id)
    {
        writer.WriteMapHeader(1);
        WriteId(ref writer, id);
    }

    /// <summary>
    /// Writes a request map with exactly the four keys, in the order the Python client writes them
    /// (<c>id, service, method, body</c>; §2.1). The body's own keys are sorted, like every map this side writes.
    /// </summary>
    public static void WriteRequest(ref MessagePackWriter writer, in WireRequest request)
    {
        ArgumentNullException.ThrowIfNull(request.Service);
        ArgumentNullException.ThrowIfNull(request.Method);
        writer.WriteMapHeader(4);
        WriteId(ref writer, request.Id);
        writer.WriteString("service"u8);
        writer.Write(request.Service);
        writer.WriteString("method"u8);
        writer.Write(request.Method);
        writer.WriteString("body"u8);
        WireValue.Write(ref writer, request.Body);
    }

    private static void WriteId(ref MessagePackWriter writer, string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        writer.WriteString("id"u8);
        writer.Write(id);
    }

    /// <summary>Reads the top-level value; only a map yields fields. Every other key and value is still decoded (R6).</summary>
    private static RequestFields ReadRequestFields(ref MessagePackReader reader)
    {
        var fields = default(RequestFields);
        if (!WireValue.IsMap(WireValue.NextCode(ref reader)))
        {
            // Not a map: decoded for R6's sake, then R7 reports the id as missing.
            _ = WireValue.ReadValue(ref reader);
            return fields;
        }

        // The request map is the first of the 1023 nesting levels.
        WireOptions.Security.DepthStep(ref reader);
        WireValue.CheckDeclaredLength(ref reader, bytesPerItem: 2);
        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            // The last of duplicate keys wins, as upstream decodes into a map.
            switch (WireValue.ReadKey(ref reader, first: i == 0))
            {
                case "id":
                    fields.Id = ReadStringOrNull(ref reader);
                    break;
                case "service":
                    fields.Service = ReadStringOrNull(ref reader);
                    break;
                case "method":
                    fields.Method = ReadStringOrNull(ref reader);
                    break;
                case "body":
                    fields.HasBody = true;
                    fields.Body = WireValue.ReadValue(ref reader);
                    break;
                default:
                    _ = WireValue.ReadValue(ref reader);
                    break;
            }
        }

        reader.Depth--;
        return fields;
    }

    /// <summary>Reads a value that must be a string to count; any other value is decoded and counts as absent.</summary>
    private static string? ReadStringOrNull(ref MessagePackReader reader)
    {
        if (WireValue.IsString(WireValue.NextCode(ref reader)))
        {
            return WireValue.ReadString(ref reader);
        }

        _ = WireValue.ReadValue(ref reader);
        return null;
    }

    private struct RequestFields
    {
        public string? Id;
        public string? Service;
        public string? Method;
        public bool HasBody;
        public JsonNode? Body;
    }
}
