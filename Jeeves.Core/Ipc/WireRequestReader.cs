using System.Buffers;
using System.Text;
using System.Text.Unicode;
using MessagePack;

namespace Jeeves.Ipc;

/// <summary>
/// The host's fast path for reading a request (R5–R7 of spec/ipc.md §1.4) without decoding the body into nodes: the
/// whole payload is checked, the id, service and method are read, and the body map's bytes are kept for the handler
/// (<see cref="IpcBody"/>). Service and method names the table routes are not allocated.
/// </summary>
/// <remarks>
/// The check is stricter than <see cref="WireMessages.ParseRequest(in Frame)"/>: it refuses anything that path would
/// refuse, and also what it would accept only on a slow path (a string split across buffer segments, containers nested
/// deeper than <see cref="IpcMethodTable.MaxDepth"/>, a missing field). On refusal the caller runs
/// <see cref="WireMessages.ParseRequest(in Frame)"/>, which answers with the reference's exact error or decodes the
/// request, so both paths give the same outcome.
/// </remarks>
internal static class WireRequestReader
{
    private const int MaxInternedLength = 64;

    /// <summary>Reads a request frame on the fast path.</summary>
    /// <returns><see langword="false"/> when the caller must use <see cref="WireMessages.ParseRequest(in Frame)"/>.</returns>
    public static bool TryRead(in Frame frame, out IpcRequest request)
    {
        request = default;
        if (frame.Type != FrameType.Request)
        {
            return false;
        }

        try
        {
            return TryRead(frame.Payload, out request);
        }
        catch (Exception ex) when (ex is EndOfStreamException or MessagePackSerializationException or ArgumentException or OverflowException)
        {
            // Malformed: the slow path words the error.
            request = default;
            return false;
        }
    }

    private static bool TryRead(in ReadOnlySequence<byte> payload, out IpcRequest request)
    {
        request = default;
        var reader = new MessagePackReader(payload);
        if (reader.End || !WireValue.IsMap(reader.NextCode))
        {
            return false;
        }

        int count = reader.ReadMapHeader();
        if (count * 2L > reader.Sequence.Length - reader.Consumed)
        {
            return false;
        }

        string? id = null, service = null, method = null;
        bool hasBody = false, bodyIsMap = false;
        long bodyStart = 0, bodyEnd = 0;
        for (int i = 0; i < count; i++)
        {
            if (!TryReadString(ref reader, out ReadOnlySpan<byte> key))
            {
                return false;
            }

            bool ok;
            if (key.SequenceEqual("id"u8))
            {
                ok = TryReadName(ref reader, intern: false, out id);
            }
            else if (key.SequenceEqual("service"u8))
            {
                ok = TryReadName(ref reader, intern: true, out service);
            }
            else if (key.SequenceEqual("method"u8))
            {
                ok = TryReadName(ref reader, intern: true, out method);
            }
            else if (key.SequenceEqual("body"u8))
            {
                // The last of duplicate keys wins, as upstream decodes into a map.
                hasBody = true;
                bodyIsMap = WireValue.IsMap(reader.NextCode);
                bodyStart = reader.Consumed;
                ok = Check(ref reader, depth: 1);
                bodyEnd = reader.Consumed;
            }
            else
            {
                ok = Check(ref reader, depth: 1);
            }

            if (!ok)
            {
                return false;
            }
        }

        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(service) || string.IsNullOrEmpty(method) || !hasBody)
        {
            return false;
        }

        // The body is copied: the frame's buffer goes back to the pipe before the handler runs.
        ReadOnlyMemory<byte> body = bodyIsMap ? payload.Slice(bodyStart, bodyEnd - bodyStart).ToArray() : default;
        request = new IpcRequest(id, service, method, IpcBody.FromMessagePack(body));
        return true;
    }

    /// <summary>A string value, or any other value (checked) that counts as absent.</summary>
    private static bool TryReadName(ref MessagePackReader reader, bool intern, out string? name)
    {
        name = null;
        if (!WireValue.IsString(reader.NextCode))
        {
            return Check(ref reader, depth: 1);
        }

        if (!TryReadString(ref reader, out ReadOnlySpan<byte> bytes))
        {
            return false;
        }

        if (intern && bytes.Length <= MaxInternedLength)
        {
            Span<char> chars = stackalloc char[MaxInternedLength];
            int length = Encoding.UTF8.GetChars(bytes, chars);
            name = IpcMethodTable.Default.Intern(chars[..length]);
        }
        else
        {
            name = Encoding.UTF8.GetString(bytes);
        }

        return true;
    }

    /// <summary>Reads a contiguous, valid UTF-8 string.</summary>
    private static bool TryReadString(ref MessagePackReader reader, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (reader.End || !WireValue.IsString(reader.NextCode) || reader.ReadStringSequence() is not { IsSingleSegment: true } sequence)
        {
            return false;
        }

        bytes = sequence.FirstSpan;
        return Utf8.IsValid(bytes);
    }

    /// <summary>Checks one value and moves past it: only what the decoder accepts, nested at most <see cref="IpcMethodTable.MaxDepth"/> deep.</summary>
    private static bool Check(ref MessagePackReader reader, int depth)
    {
        if (reader.End)
        {
            return false;
        }

        byte code = reader.NextCode;
        switch (code)
        {
            case <= MessagePackCode.MaxFixInt or >= MessagePackCode.MinNegativeFixInt:
            case MessagePackCode.UInt8 or MessagePackCode.UInt16 or MessagePackCode.UInt32 or MessagePackCode.UInt64:
            case MessagePackCode.Int8 or MessagePackCode.Int16 or MessagePackCode.Int32 or MessagePackCode.Int64:
            case MessagePackCode.Float32 or MessagePackCode.Float64:
            case MessagePackCode.Nil or MessagePackCode.True or MessagePackCode.False:
                reader.Skip();
                return true;
            case var _ when WireValue.IsString(code):
                return TryReadString(ref reader, out _);
            case var _ when WireValue.IsMap(code):
            {
                if (depth > IpcMethodTable.MaxDepth)
                {
                    return false;
                }

                int count = reader.ReadMapHeader();
                if (count * 2L > reader.Sequence.Length - reader.Consumed)
                {
                    return false;
                }

                for (int i = 0; i < count; i++)
                {
                    if (!TryReadString(ref reader, out _) || !Check(ref reader, depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            }

            case >= MessagePackCode.MinFixArray and <= MessagePackCode.MaxFixArray or MessagePackCode.Array16 or MessagePackCode.Array32:
            {
                if (depth > IpcMethodTable.MaxDepth)
                {
                    return false;
                }

                int count = reader.ReadArrayHeader();
                if (count > reader.Sequence.Length - reader.Consumed)
                {
                    return false;
                }

                for (int i = 0; i < count; i++)
                {
                    if (!Check(ref reader, depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            }

            default:
                // bin, ext, 0xc1: refused by the decoder.
                return false;
        }
    }
}
