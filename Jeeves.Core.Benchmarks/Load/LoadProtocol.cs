using System.Buffers;
using System.Text;
using Jeeves.Ipc;
using MessagePack;

namespace Jeeves.Benchmarks.Load;

/// <summary>How the generator classifies one reply.</summary>
internal enum ReplyOutcome
{
    /// <summary>A response with <c>ok: true</c> and the expected id.</summary>
    Ok,

    /// <summary>An error frame, a response with <c>ok: false</c>, a wrong id, or a frame the client does not expect.</summary>
    Error,

    /// <summary><c>RESOURCE_EXHAUSTED</c> with <c>retryable: true</c> (the queue-full error of §1.8).</summary>
    Retryable,
}

/// <summary>
/// Encodes the generator's requests and checks replies without allocating: the request map is written straight into a
/// reused <see cref="FrameWriter"/> (keys <c>id, service, method, body</c>, as <see cref="WireMessages.WriteRequest"/>
/// writes them), ids are <c>c&lt;connection&gt;-&lt;sequence&gt;</c> formatted into a stack buffer, and a success
/// reply is scanned for its <c>id</c> and <c>ok</c> with a <see cref="MessagePackReader"/> rather than decoded.
/// Error frames, which should be rare, go through <see cref="WireMessages.ParseReply"/>.
/// </summary>
internal sealed class LoadProtocol
{
    /// <summary>The pid that <see cref="LoadMethod.GetProcess"/> reads.</summary>
    public const string ProbePid = "load-probe";

    private const int MaxIdBytes = 48;
    private const int MaxPidBytes = 96;

    private readonly byte[] _idPrefix;
    private readonly byte[] _pidPrefix;
    private readonly byte[] _method;
    private readonly byte[]? _fixedPid;

    // Scratch for Encode's id and pid: MessagePackWriter may not be handed stack memory. One instance per connection.
    private readonly byte[] _idScratch = new byte[MaxIdBytes];
    private readonly byte[] _pidScratch = new byte[MaxPidBytes];

    /// <summary>Initializes a new instance of the <see cref="LoadProtocol"/> class.</summary>
    /// <param name="method">The request to send.</param>
    /// <param name="connection">The connection's index, part of every id.</param>
    /// <param name="runTag">A tag unique to the run, part of every created pid so that runs do not collide.</param>
    /// <param name="fixedPid">For <see cref="LoadMethod.CreateProcess"/>: one pid (and user id) for every request instead.</param>
    public LoadProtocol(LoadMethod method, int connection, string runTag, string? fixedPid = null)
    {
        _fixedPid = fixedPid is null ? null : Encoding.UTF8.GetBytes(fixedPid);
        Method = method;
        _idPrefix = Encoding.UTF8.GetBytes($"c{connection}-");
        _pidPrefix = Encoding.UTF8.GetBytes($"load-{runTag}-");
        _method = Encoding.UTF8.GetBytes(method.ToString());
    }

    /// <summary>Gets the request this instance encodes.</summary>
    public LoadMethod Method { get; }

    /// <summary>Gets the first error's code and message seen by <see cref="Classify"/>, for the run's diagnostics.</summary>
    public string? FirstError { get; private set; }

    /// <summary>Writes the request frame with sequence number <paramref name="sequence"/>; valid until the writer's next frame.</summary>
    public ReadOnlyMemory<byte> Encode(FrameWriter writer, ulong sequence)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ReadOnlySpan<byte> id = _idScratch.AsSpan(0, FormatId(_idScratch, sequence));

        writer.Reset();
        var mp = new MessagePackWriter(writer);
        mp.WriteMapHeader(4);
        mp.WriteString("id"u8);
        mp.WriteString(id);
        mp.WriteString("service"u8);
        mp.WriteString("kernel"u8);
        mp.WriteString("method"u8);
        mp.WriteString(_method);
        mp.WriteString("body"u8);
        switch (Method)
        {
            case LoadMethod.GetProcess:
                mp.WriteMapHeader(1);
                mp.WriteString("pid"u8);
                mp.WriteString("load-probe"u8);
                break;
            case LoadMethod.CreateProcess:
                // A fresh pid per request, and the pid as the user id: the burst limit is 10 per 10 s per user.
                ReadOnlySpan<byte> pid;
                if (_fixedPid is null)
                {
                    _pidPrefix.CopyTo(_pidScratch, 0);
                    id.CopyTo(_pidScratch.AsSpan(_pidPrefix.Length));
                    pid = _pidScratch.AsSpan(0, _pidPrefix.Length + id.Length);
                }
                else
                {
                    pid = _fixedPid;
                }

                mp.WriteMapHeader(2);
                mp.WriteString("pid"u8);
                mp.WriteString(pid);
                mp.WriteString("user_id"u8);
                mp.WriteString(pid);
                break;
            default:
                mp.WriteMapHeader(0);
                break;
        }

        mp.Flush();
        return writer.Complete(FrameType.Request);
    }

    /// <summary>Classifies the reply to the request with sequence number <paramref name="sequence"/> (replies come in order, §1.7).</summary>
    public ReplyOutcome Classify(in Frame frame, ulong sequence)
    {
        Span<byte> id = stackalloc byte[MaxIdBytes];
        id = id[..FormatId(id, sequence)];
        if (frame.Type == FrameType.Response && IsOkResponse(frame.Payload, id))
        {
            return ReplyOutcome.Ok;
        }

        return ClassifyFailure(frame, Encoding.UTF8.GetString(id));
    }

    /// <summary>Checks that <paramref name="request"/> decodes, with the codec's own parser, to the request meant.</summary>
    /// <exception cref="InvalidOperationException">It does not.</exception>
    public void SelfCheck(ReadOnlyMemory<byte> request, ulong sequence)
    {
        Span<byte> idBytes = stackalloc byte[MaxIdBytes];
        string id = Encoding.UTF8.GetString(idBytes[..FormatId(idBytes, sequence)]);
        var frameBytes = new ReadOnlySequence<byte>(request);
        if (!FrameReader.TryParseFrame(frameBytes, FrameLayout.DefaultMaxFrameBytes, out Frame frame, out _, out _))
        {
            throw new InvalidOperationException("The load request is not a whole frame.");
        }

        WireRequest parsed = WireMessages.ParseRequest(frame);
        bool bodyOk = Method switch
        {
            LoadMethod.GetProcess => (string?)parsed.Body["pid"] == ProbePid,
            LoadMethod.CreateProcess => (string?)parsed.Body["pid"] is string pid && pid.EndsWith(id, StringComparison.Ordinal) && (string?)parsed.Body["user_id"] == pid,
            _ => parsed.Body.Count == 0,
        };
        if (parsed.Id != id || parsed.Service != "kernel" || parsed.Method != Method.ToString() || !bodyOk)
        {
            throw new InvalidOperationException($"The load request decodes to {parsed}, not the {Method} request meant.");
        }
    }

    private static bool IsOkResponse(in ReadOnlySequence<byte> payload, ReadOnlySpan<byte> expectedId)
    {
        var reader = new MessagePackReader(payload);
        try
        {
            if (reader.NextMessagePackType != MessagePackType.Map)
            {
                return false;
            }

            bool idMatches = false;
            bool ok = false;
            int count = reader.ReadMapHeader();
            for (int i = 0; i < count; i++)
            {
                if (reader.NextMessagePackType != MessagePackType.String)
                {
                    reader.Skip();
                    reader.Skip();
                    continue;
                }

                ReadOnlySequence<byte> key = reader.ReadStringSequence() ?? default;
                if (Matches(key, "id"u8) && reader.NextMessagePackType == MessagePackType.String)
                {
                    idMatches = Matches(reader.ReadStringSequence() ?? default, expectedId);
                }
                else if (Matches(key, "ok"u8) && reader.NextMessagePackType == MessagePackType.Boolean)
                {
                    ok = reader.ReadBoolean();
                }
                else
                {
                    reader.Skip();
                }
            }

            return idMatches && ok;
        }
        catch (MessagePackSerializationException)
        {
            return false;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }

    private static bool Matches(in ReadOnlySequence<byte> text, ReadOnlySpan<byte> expected)
    {
        if (text.Length != expected.Length)
        {
            return false;
        }

        if (text.IsSingleSegment)
        {
            return text.FirstSpan.SequenceEqual(expected);
        }

        Span<byte> copy = stackalloc byte[MaxIdBytes];
        if (expected.Length > copy.Length)
        {
            return false;
        }

        text.CopyTo(copy);
        return copy[..expected.Length].SequenceEqual(expected);
    }

    private int FormatId(Span<byte> destination, ulong sequence)
    {
        _idPrefix.CopyTo(destination);
        _ = sequence.TryFormat(destination[_idPrefix.Length..], out int written, default, System.Globalization.CultureInfo.InvariantCulture);
        return _idPrefix.Length + written;
    }

    private ReplyOutcome ClassifyFailure(in Frame frame, string expectedId)
    {
        string detail;
        ReplyOutcome outcome = ReplyOutcome.Error;
        try
        {
            WireReply reply = WireMessages.ParseReply(frame);
            if (reply.Type == FrameType.Error && reply.ErrorCode == "RESOURCE_EXHAUSTED"
                && reply.Error?["retryable"] is System.Text.Json.Nodes.JsonValue retry && retry.TryGetValue(out bool retryable) && retryable)
            {
                outcome = ReplyOutcome.Retryable;
            }

            detail = reply.IsFailure
                ? $"{reply.ErrorCode}: {reply.ErrorMessage} (id '{reply.Id}')"
                : $"reply id '{reply.Id}' ok={reply.Ok} type={reply.Type}, expected id '{expectedId}'";
        }
        catch (FrameException ex)
        {
            detail = $"unreadable reply: {ex.Message}";
        }

        if (outcome == ReplyOutcome.Error)
        {
            FirstError ??= detail;
        }

        return outcome;
    }
}
