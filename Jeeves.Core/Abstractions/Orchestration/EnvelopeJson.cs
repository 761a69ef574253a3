using System.Buffers;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Jeeves;

/// <summary>
/// The JSON form of an <see cref="Envelope"/> (orchestration.md §4.1-§4.2, ipc.md §5.4, §5.9, §5.10).
/// </summary>
/// <remarks>
/// <para>
/// Output: optional fields that are none are omitted, as are <c>active_stages</c>, <c>completed_stage_set</c> and
/// <c>failed_stages</c> when empty; sets and map keys come out ordinal-sorted; timestamps are RFC 3339 in UTC
/// (<see cref="Rfc3339"/>). JSON values are written as stored.
/// </para>
/// <para>
/// Input is strict: every required key must be present and not null and every value must have its type (integers
/// within their range, objects where the schema says map), enum spellings are case-sensitive, unknown keys are
/// ignored, and an optional key that is absent or null means none. A bad envelope is
/// <see cref="KernelErrorCode.InvalidArgument"/> with <c>validation error: Invalid envelope: &lt;detail&gt;</c>, where
/// the detail names the path, such as <c>missing field pipeline.current_stage</c>. Strings must be valid UTF-16 text
/// (an escaped lone surrogate is refused), stored JSON values included, so that whatever is read can be written. As an exception to the
/// reference (its quirk Q15), an interrupt response's <c>received_at</c> is optional.
/// </para>
/// </remarks>
internal static class EnvelopeJson
{
    /// <summary>How deep the text of an envelope may nest: a stored JSON value may nest 64 deep on its own.</summary>
    private const int MaxDepth = 128;

    /// <summary>Writes an envelope as one JSON object.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="envelope">The envelope.</param>
    public static void Write(Utf8JsonWriter writer, Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(envelope);

        writer.WriteStartObject();

        EnvelopeIdentity identity = envelope.Identity;
        writer.WriteStartObject("identity"u8);
        writer.WriteString("envelope_id"u8, identity.EnvelopeId);
        writer.WriteString("request_id"u8, identity.RequestId);
        writer.WriteString("user_id"u8, identity.UserId);
        writer.WriteString("session_id"u8, identity.SessionId);
        writer.WriteEndObject();

        writer.WriteString("raw_input"u8, envelope.RawInput);
        WriteTime(writer, "received_at"u8, envelope.ReceivedAt);
        WriteValues(writer, "outputs"u8, envelope.Outputs);

        EnvelopePipeline pipeline = envelope.Pipeline;
        writer.WriteStartObject("pipeline"u8);
        writer.WriteString("current_stage"u8, pipeline.CurrentStage);
        writer.WriteStartArray("stage_order"u8);
        if (!pipeline.StageOrder.IsDefault)
        {
            foreach (string stage in pipeline.StageOrder)
            {
                writer.WriteStringValue(stage);
            }
        }

        writer.WriteEndArray();
        writer.WriteNumber("iteration"u8, pipeline.Iteration);
        writer.WriteNumber("max_iterations"u8, pipeline.MaxIterations);
        if (pipeline.ActiveStages.Count > 0)
        {
            WriteStrings(writer, "active_stages"u8, pipeline.ActiveStages);
        }

        if (pipeline.CompletedStageSet.Count > 0)
        {
            WriteStrings(writer, "completed_stage_set"u8, pipeline.CompletedStageSet);
        }

        if (pipeline.FailedStages.Count > 0)
        {
            WriteStringMap(writer, "failed_stages"u8, pipeline.FailedStages);
        }

        writer.WriteBoolean("parallel_mode"u8, pipeline.ParallelMode);
        writer.WriteEndObject();

        EnvelopeBounds bounds = envelope.Bounds;
        writer.WriteStartObject("bounds"u8);
        writer.WriteNumber("llm_call_count"u8, bounds.LlmCallCount);
        writer.WriteNumber("max_llm_calls"u8, bounds.MaxLlmCalls);
        writer.WriteNumber("tool_call_count"u8, bounds.ToolCallCount);
        writer.WriteNumber("agent_hop_count"u8, bounds.AgentHopCount);
        writer.WriteNumber("max_agent_hops"u8, bounds.MaxAgentHops);
        writer.WriteNumber("tokens_in"u8, bounds.TokensIn);
        writer.WriteNumber("tokens_out"u8, bounds.TokensOut);
        if (bounds.TerminalReason is { } reason)
        {
            writer.WriteString("terminal_reason"u8, WireNames.ToWire(reason));
        }

        writer.WriteBoolean("terminated"u8, bounds.Terminated);
        if (bounds.TerminationReason is { } explanation)
        {
            writer.WriteString("termination_reason"u8, explanation);
        }

        writer.WriteEndObject();

        writer.WriteStartObject("interrupts"u8);
        writer.WriteBoolean("interrupt_pending"u8, envelope.Interrupts.InterruptPending);
        if (envelope.Interrupts.Interrupt is { } interrupt)
        {
            writer.WritePropertyName("interrupt"u8);
            WriteInterrupt(writer, interrupt);
        }

        writer.WriteEndObject();

        EnvelopeExecution execution = envelope.Execution;
        writer.WriteStartObject("execution"u8);
        WriteValues(writer, "completed_stages"u8, execution.CompletedStages);
        writer.WriteNumber("current_stage_number"u8, execution.CurrentStageNumber);
        writer.WriteNumber("max_stages"u8, execution.MaxStages);
        WriteStrings(writer, "all_goals"u8, execution.AllGoals);
        WriteStrings(writer, "remaining_goals"u8, execution.RemainingGoals);
        WriteStringMap(writer, "goal_completion_status"u8, execution.GoalCompletionStatus);
        WriteValues(writer, "prior_plans"u8, execution.PriorPlans);
        WriteStrings(writer, "loop_feedback"u8, execution.LoopFeedback);
        writer.WriteEndObject();

        EnvelopeAudit audit = envelope.Audit;
        writer.WriteStartObject("audit"u8);
        writer.WriteStartArray("processing_history"u8);
        foreach (ProcessingRecord record in audit.ProcessingHistory)
        {
            WriteRecord(writer, record);
        }

        writer.WriteEndArray();
        WriteValues(writer, "errors"u8, audit.Errors);
        WriteTime(writer, "created_at"u8, audit.CreatedAt);
        if (audit.CompletedAt is { } completedAt)
        {
            WriteTime(writer, "completed_at"u8, completedAt);
        }

        WriteValues(writer, "metadata"u8, audit.Metadata);
        writer.WriteEndObject();

        writer.WriteEndObject();
    }

    /// <summary>Writes an envelope into a new <see cref="JsonElement"/> that needs no disposal.</summary>
    /// <param name="envelope">The envelope.</param>
    /// <returns>The JSON object.</returns>
    public static JsonElement ToElement(Envelope envelope)
    {
        ArrayBufferWriter<byte> buffer = WriteToBuffer(envelope);
        var reader = new Utf8JsonReader(buffer.WrittenSpan, new JsonReaderOptions { MaxDepth = MaxDepth });
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>Writes an envelope as compact JSON text.</summary>
    /// <param name="envelope">The envelope.</param>
    /// <returns>The text.</returns>
    public static string ToJson(Envelope envelope) => Encoding.UTF8.GetString(WriteToBuffer(envelope).WrittenSpan);

    /// <summary>Reads an envelope from JSON text.</summary>
    /// <param name="json">The text: one JSON object.</param>
    /// <returns>The envelope.</returns>
    /// <exception cref="KernelException">The text is not JSON, or not a valid envelope (<see cref="KernelErrorCode.InvalidArgument"/>).</exception>
    public static Envelope Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonElement root;
        try
        {
            root = JsonElement.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException ex)
        {
            throw KernelErrors.Validation("Invalid envelope: " + ex.Message, ex);
        }

        return Read(root);
    }

    /// <summary>Reads an envelope from a JSON object.</summary>
    /// <param name="element">The object. The envelope keeps no reference to its document when that can be disposed.</param>
    /// <returns>The envelope; its timestamps have offset zero.</returns>
    /// <exception cref="KernelException">The value is not a valid envelope (<see cref="KernelErrorCode.InvalidArgument"/>).</exception>
    public static Envelope Read(JsonElement element)
    {
        // One copy of the whole value when its document can be disposed; the stored JSON values then share it.
        JsonElement root = element.ValueKind == JsonValueKind.Undefined ? element : element.Clone();
        ExpectKind(root, JsonValueKind.Object, "envelope", "an object");

        JsonElement identity = RequiredObject(root, string.Empty, "identity");
        JsonElement pipeline = RequiredObject(root, string.Empty, "pipeline");
        JsonElement bounds = RequiredObject(root, string.Empty, "bounds");
        JsonElement interrupts = RequiredObject(root, string.Empty, "interrupts");
        JsonElement execution = RequiredObject(root, string.Empty, "execution");
        JsonElement audit = RequiredObject(root, string.Empty, "audit");

        return new Envelope
        {
            Identity = new EnvelopeIdentity(
                RequiredString(identity, "identity", "envelope_id"),
                RequiredString(identity, "identity", "request_id"),
                RequiredString(identity, "identity", "user_id"),
                RequiredString(identity, "identity", "session_id")),
            RawInput = RequiredString(root, string.Empty, "raw_input"),
            ReceivedAt = RequiredTime(root, string.Empty, "received_at"),
            Outputs = ReadValueMap(Required(root, string.Empty, "outputs"), "outputs", objectsOnly: true),
            Pipeline = new EnvelopePipeline
            {
                CurrentStage = RequiredString(pipeline, "pipeline", "current_stage"),
                StageOrder = ReadStrings(Required(pipeline, "pipeline", "stage_order"), "pipeline.stage_order").ToImmutableArray(),
                Iteration = RequiredInt32(pipeline, "pipeline", "iteration"),
                MaxIterations = RequiredInt32(pipeline, "pipeline", "max_iterations"),
                ActiveStages = TryOptional(pipeline, "active_stages", out JsonElement active)
                    ? ReadStrings(active, "pipeline.active_stages").ToImmutableSortedSet(StringComparer.Ordinal)
                    : EmptyCollections.Names,
                CompletedStageSet = TryOptional(pipeline, "completed_stage_set", out JsonElement completed)
                    ? ReadStrings(completed, "pipeline.completed_stage_set").ToImmutableSortedSet(StringComparer.Ordinal)
                    : EmptyCollections.Names,
                FailedStages = TryOptional(pipeline, "failed_stages", out JsonElement failed)
                    ? ReadStringMap(failed, "pipeline.failed_stages")
                    : EmptyCollections.TextByName,
                ParallelMode = TryOptional(pipeline, "parallel_mode", out JsonElement parallel) && ReadBoolean(parallel, "pipeline", "parallel_mode"),
            },
            Bounds = new EnvelopeBounds
            {
                LlmCallCount = RequiredInt32(bounds, "bounds", "llm_call_count"),
                MaxLlmCalls = RequiredInt32(bounds, "bounds", "max_llm_calls"),
                ToolCallCount = RequiredInt32(bounds, "bounds", "tool_call_count"),
                AgentHopCount = RequiredInt32(bounds, "bounds", "agent_hop_count"),
                MaxAgentHops = RequiredInt32(bounds, "bounds", "max_agent_hops"),
                TokensIn = RequiredInt64(bounds, "bounds", "tokens_in"),
                TokensOut = RequiredInt64(bounds, "bounds", "tokens_out"),
                TerminalReason = TryOptional(bounds, "terminal_reason", out JsonElement reason) ? ReadTerminalReason(reason) : null,
                Terminated = ReadBoolean(Required(bounds, "bounds", "terminated"), "bounds", "terminated"),
                TerminationReason = OptionalString(bounds, "bounds", "termination_reason"),
            },
            Interrupts = new EnvelopeInterrupts
            {
                InterruptPending = ReadBoolean(Required(interrupts, "interrupts", "interrupt_pending"), "interrupts", "interrupt_pending"),
                Interrupt = TryOptional(interrupts, "interrupt", out JsonElement interrupt) ? ReadInterrupt(interrupt) : null,
            },
            Execution = new EnvelopeExecution
            {
                CompletedStages = ReadValueList(Required(execution, "execution", "completed_stages"), "execution.completed_stages"),
                CurrentStageNumber = RequiredInt32(execution, "execution", "current_stage_number"),
                MaxStages = RequiredInt32(execution, "execution", "max_stages"),
                AllGoals = ReadStrings(Required(execution, "execution", "all_goals"), "execution.all_goals").ToImmutable(),
                RemainingGoals = ReadStrings(Required(execution, "execution", "remaining_goals"), "execution.remaining_goals").ToImmutable(),
                GoalCompletionStatus = ReadStringMap(Required(execution, "execution", "goal_completion_status"), "execution.goal_completion_status"),
                PriorPlans = ReadValueList(Required(execution, "execution", "prior_plans"), "execution.prior_plans"),
                LoopFeedback = ReadStrings(Required(execution, "execution", "loop_feedback"), "execution.loop_feedback").ToImmutable(),
            },
            Audit = new EnvelopeAudit
            {
                ProcessingHistory = ReadRecords(Required(audit, "audit", "processing_history")),
                Errors = ReadValueList(Required(audit, "audit", "errors"), "audit.errors"),
                CreatedAt = RequiredTime(audit, "audit", "created_at"),
                CompletedAt = OptionalTime(audit, "audit", "completed_at"),
                Metadata = ReadValueMap(Required(audit, "audit", "metadata"), "audit.metadata", objectsOnly: false),
            },
        };
    }

    private static ArrayBufferWriter<byte> WriteToBuffer(Envelope envelope)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, envelope);
        }

        return buffer;
    }

    private static void WriteInterrupt(Utf8JsonWriter writer, FlowInterrupt interrupt)
    {
        writer.WriteStartObject();
        writer.WriteString("kind"u8, WireNames.ToWire(interrupt.Kind));
        writer.WriteString("id"u8, interrupt.Id);
        if (interrupt.Question is { } question)
        {
            writer.WriteString("question"u8, question);
        }

        if (interrupt.Message is { } message)
        {
            writer.WriteString("message"u8, message);
        }

        WriteOptionalValue(writer, "data"u8, interrupt.Data);
        if (interrupt.Response is { } response)
        {
            writer.WriteStartObject("response"u8);
            if (response.Text is { } text)
            {
                writer.WriteString("text"u8, text);
            }

            if (response.Approved is { } approved)
            {
                writer.WriteBoolean("approved"u8, approved);
            }

            if (response.Decision is { } decision)
            {
                writer.WriteString("decision"u8, decision);
            }

            WriteOptionalValue(writer, "data"u8, response.Data);
            if (response.ReceivedAt is { } receivedAt)
            {
                WriteTime(writer, "received_at"u8, receivedAt);
            }

            writer.WriteEndObject();
        }

        WriteTime(writer, "created_at"u8, interrupt.CreatedAt);
        if (interrupt.ExpiresAt is { } expiresAt)
        {
            WriteTime(writer, "expires_at"u8, expiresAt);
        }

        writer.WriteEndObject();
    }

    private static void WriteRecord(Utf8JsonWriter writer, ProcessingRecord record)
    {
        writer.WriteStartObject();
        writer.WriteString("agent"u8, record.Agent);
        writer.WriteNumber("stage_order"u8, record.StageOrder);
        WriteTime(writer, "started_at"u8, record.StartedAt);
        if (record.CompletedAt is { } completedAt)
        {
            WriteTime(writer, "completed_at"u8, completedAt);
        }

        writer.WriteNumber("duration_ms"u8, record.DurationMs);
        writer.WriteString("status"u8, WireNames.ToWire(record.Status));
        if (record.Error is { } error)
        {
            writer.WriteString("error"u8, error);
        }

        writer.WriteNumber("llm_calls"u8, record.LlmCalls);
        writer.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter writer, ReadOnlySpan<byte> name, DateTimeOffset value)
    {
        Span<byte> text = stackalloc byte[Rfc3339.MaxLength];
        int length = Rfc3339.FormatUtf8(value, text);
        writer.WriteString(name, text[..length]);
    }

    private static void WriteStrings(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (string value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static void WriteStringMap(Utf8JsonWriter writer, ReadOnlySpan<byte> name, ImmutableSortedDictionary<string, string> map)
    {
        writer.WriteStartObject(name);
        foreach ((string key, string value) in map)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    private static void WriteValues(Utf8JsonWriter writer, ReadOnlySpan<byte> name, ImmutableList<JsonElement> values)
    {
        writer.WriteStartArray(name);
        foreach (JsonElement value in values)
        {
            value.WriteTo(writer);
        }

        writer.WriteEndArray();
    }

    private static void WriteValues(Utf8JsonWriter writer, ReadOnlySpan<byte> name, ImmutableSortedDictionary<string, JsonElement> map)
    {
        writer.WriteStartObject(name);
        foreach ((string key, JsonElement value) in map)
        {
            writer.WritePropertyName(key);
            value.WriteTo(writer);
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes an optional JSON value; a JSON <c>null</c> is none, as it is on input.</summary>
    private static void WriteOptionalValue(Utf8JsonWriter writer, ReadOnlySpan<byte> name, JsonElement? value)
    {
        if (value is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } present)
        {
            writer.WritePropertyName(name);
            present.WriteTo(writer);
        }
    }

    private static FlowInterrupt ReadInterrupt(JsonElement interrupt)
    {
        const string At = "interrupts.interrupt";
        ExpectKind(interrupt, JsonValueKind.Object, At, "an object");
        string kindText = RequiredString(interrupt, At, "kind");
        if (!WireNames.TryParseInterruptKind(kindText, out InterruptKind parsedKind))
        {
            throw UnknownValue(At + ".kind", kindText);
        }

        return new FlowInterrupt
        {
            Kind = parsedKind,
            Id = RequiredString(interrupt, At, "id"),
            Question = OptionalString(interrupt, At, "question"),
            Message = OptionalString(interrupt, At, "message"),
            Data = OptionalObject(interrupt, At, "data"),
            Response = TryOptional(interrupt, "response", out JsonElement response) ? ReadResponse(response) : null,
            CreatedAt = RequiredTime(interrupt, At, "created_at"),
            ExpiresAt = OptionalTime(interrupt, At, "expires_at"),
        };
    }

    private static InterruptResponse ReadResponse(JsonElement response)
    {
        const string At = "interrupts.interrupt.response";
        ExpectKind(response, JsonValueKind.Object, At, "an object");
        return new InterruptResponse
        {
            Text = OptionalString(response, At, "text"),
            Approved = TryOptional(response, "approved", out JsonElement approved) ? ReadBoolean(approved, At, "approved") : null,
            Decision = OptionalString(response, At, "decision"),
            Data = OptionalObject(response, At, "data"),
            ReceivedAt = OptionalTime(response, At, "received_at"),
        };
    }

    private static ImmutableList<ProcessingRecord> ReadRecords(JsonElement array)
    {
        ExpectKind(array, JsonValueKind.Array, "audit.processing_history", "an array");
        ImmutableList<ProcessingRecord>.Builder records = ImmutableList.CreateBuilder<ProcessingRecord>();
        int index = 0;
        foreach (JsonElement record in array.EnumerateArray())
        {
            string at = string.Create(CultureInfo.InvariantCulture, $"audit.processing_history[{index++}]");
            ExpectKind(record, JsonValueKind.Object, at, "an object");
            records.Add(new ProcessingRecord
            {
                Agent = RequiredString(record, at, "agent"),
                StageOrder = RequiredInt32(record, at, "stage_order"),
                StartedAt = RequiredTime(record, at, "started_at"),
                CompletedAt = OptionalTime(record, at, "completed_at"),
                DurationMs = RequiredInt32(record, at, "duration_ms"),
                Status = ReadProcessingStatus(record, at),
                Error = OptionalString(record, at, "error"),
                LlmCalls = RequiredInt32(record, at, "llm_calls"),
            });
        }

        return records.ToImmutable();
    }

    private static ProcessingStatus ReadProcessingStatus(JsonElement record, string at)
    {
        string text = RequiredString(record, at, "status");
        return WireNames.TryParseProcessingStatus(text, out ProcessingStatus status) ? status : throw UnknownValue(at + ".status", text);
    }

    private static TerminalReason ReadTerminalReason(JsonElement value)
    {
        const string At = "bounds.terminal_reason";
        ExpectKind(value, JsonValueKind.String, At, "a string");
        string text = Text(value, At, string.Empty);
        return WireNames.TryParseTerminalReason(text, out TerminalReason reason) ? reason : throw UnknownValue(At, text);
    }

    private static ImmutableList<string>.Builder ReadStrings(JsonElement array, string at)
    {
        ExpectKind(array, JsonValueKind.Array, at, "an array");
        ImmutableList<string>.Builder items = ImmutableList.CreateBuilder<string>();
        int index = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw Mismatch(string.Create(CultureInfo.InvariantCulture, $"{at}[{index}]"), "a string", item);
            }

            items.Add(Text(item, at, index));
            index++;
        }

        return items;
    }

    private static ImmutableSortedDictionary<string, string> ReadStringMap(JsonElement map, string at)
    {
        ExpectKind(map, JsonValueKind.Object, at, "an object");
        ImmutableSortedDictionary<string, string>.Builder entries = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty entry in map.EnumerateObject())
        {
            string key = Key(entry, at);
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                throw Mismatch(at + "." + key, "a string", entry.Value);
            }

            entries[key] = Text(entry.Value, at, key);
        }

        return entries.ToImmutable();
    }

    private static ImmutableSortedDictionary<string, JsonElement> ReadValueMap(JsonElement map, string at, bool objectsOnly)
    {
        ExpectKind(map, JsonValueKind.Object, at, "an object");
        ImmutableSortedDictionary<string, JsonElement>.Builder entries = ImmutableSortedDictionary.CreateBuilder<string, JsonElement>(StringComparer.Ordinal);
        foreach (JsonProperty entry in map.EnumerateObject())
        {
            string key = Key(entry, at);
            if (objectsOnly && entry.Value.ValueKind != JsonValueKind.Object)
            {
                throw Mismatch(at + "." + key, "an object", entry.Value);
            }

            CheckText(entry.Value, at, key);
            entries[key] = entry.Value;
        }

        return entries.ToImmutable();
    }

    /// <summary>Reads a list of JSON objects.</summary>
    private static ImmutableList<JsonElement> ReadValueList(JsonElement array, string at)
    {
        ExpectKind(array, JsonValueKind.Array, at, "an array");
        ImmutableList<JsonElement>.Builder items = ImmutableList.CreateBuilder<JsonElement>();
        int index = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw Mismatch(string.Create(CultureInfo.InvariantCulture, $"{at}[{index}]"), "an object", item);
            }

            CheckText(item, at, index);
            items.Add(item);
            index++;
        }

        return items.ToImmutable();
    }

    private static JsonElement Required(JsonElement parent, string at, string name)
    {
        if (!parent.TryGetProperty(name, out JsonElement value))
        {
            throw KernelErrors.Validation("Invalid envelope: missing field " + PathOf(at, name));
        }

        return value;
    }

    private static bool TryOptional(JsonElement parent, string name, out JsonElement value) =>
        parent.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static JsonElement RequiredObject(JsonElement parent, string at, string name)
    {
        JsonElement value = Required(parent, at, name);
        ExpectKind(value, JsonValueKind.Object, PathOf(at, name), "an object");
        return value;
    }

    private static JsonElement? OptionalObject(JsonElement parent, string at, string name)
    {
        if (!TryOptional(parent, name, out JsonElement value))
        {
            return null;
        }

        ExpectKind(value, JsonValueKind.Object, PathOf(at, name), "an object");
        CheckText(value, at, name);
        return value;
    }

    private static string RequiredString(JsonElement parent, string at, string name) =>
        ReadString(Required(parent, at, name), at, name);

    private static string? OptionalString(JsonElement parent, string at, string name) =>
        TryOptional(parent, name, out JsonElement value) ? ReadString(value, at, name) : null;

    private static string ReadString(JsonElement value, string at, string name) =>
        value.ValueKind == JsonValueKind.String ? Text(value, at, name) : throw Mismatch(PathOf(at, name), "a string", value);

    private static bool ReadBoolean(JsonElement value, string at, string name) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Mismatch(PathOf(at, name), "a boolean", value),
    };

    private static int RequiredInt32(JsonElement parent, string at, string name)
    {
        JsonElement value = Required(parent, at, name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number)
            ? number
            : throw Mismatch(PathOf(at, name), "a 32-bit integer", value);
    }

    private static long RequiredInt64(JsonElement parent, string at, string name)
    {
        JsonElement value = Required(parent, at, name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long number)
            ? number
            : throw Mismatch(PathOf(at, name), "a 64-bit integer", value);
    }

    private static DateTimeOffset RequiredTime(JsonElement parent, string at, string name) =>
        ReadTime(Required(parent, at, name), at, name);

    private static DateTimeOffset? OptionalTime(JsonElement parent, string at, string name) =>
        TryOptional(parent, name, out JsonElement value) ? ReadTime(value, at, name) : null;

    private static DateTimeOffset ReadTime(JsonElement value, string at, string name)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw Mismatch(PathOf(at, name), "an RFC 3339 timestamp string", value);
        }

        string text = Text(value, at, name);
        return Rfc3339.TryParse(text, out DateTimeOffset time)
            ? time
            : throw KernelErrors.Validation($"Invalid envelope: {PathOf(at, name)}: invalid timestamp '{text}' (RFC 3339 with an offset expected)");
    }

    /// <summary>Gets a string's text; an escaped lone surrogate is not text, and the reference refuses it too.</summary>
    private static string Text(JsonElement value, string at, string name)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw KernelErrors.Validation($"Invalid envelope: {PathOf(at, name)}: invalid string: {ex.Message}", ex);
        }
    }

    private static string Text(JsonElement value, string at, int index)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw KernelErrors.Validation(string.Create(CultureInfo.InvariantCulture, $"Invalid envelope: {at}[{index}]: invalid string: {ex.Message}"), ex);
        }
    }

    private static string Key(JsonProperty entry, string at)
    {
        try
        {
            return entry.Name;
        }
        catch (InvalidOperationException ex)
        {
            throw KernelErrors.Validation($"Invalid envelope: {at}: invalid key: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Checks that every string and key inside a stored JSON value is text, so that the envelope can be written again.
    /// Only escaped strings can fail, so only those are decoded.
    /// </summary>
    private static void CheckText(JsonElement value, string at, string name)
    {
        if (!IsText(value, out InvalidOperationException? error))
        {
            throw KernelErrors.Validation($"Invalid envelope: {PathOf(at, name)}: invalid string: {error.Message}", error);
        }
    }

    private static void CheckText(JsonElement value, string at, int index)
    {
        if (!IsText(value, out InvalidOperationException? error))
        {
            throw KernelErrors.Validation(string.Create(CultureInfo.InvariantCulture, $"Invalid envelope: {at}[{index}]: invalid string: {error.Message}"), error);
        }
    }

    private static bool IsText(JsonElement value, [NotNullWhen(false)] out InvalidOperationException? error)
    {
        error = null;
        try
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    if (JsonMarshal.GetRawUtf8Value(value).Contains((byte)'\\'))
                    {
                        _ = value.GetString();
                    }

                    return true;

                case JsonValueKind.Object:
                    foreach (JsonProperty property in value.EnumerateObject())
                    {
                        if (JsonMarshal.GetRawUtf8PropertyName(property).Contains((byte)'\\'))
                        {
                            _ = property.Name;
                        }

                        if (!IsText(property.Value, out error))
                        {
                            return false;
                        }
                    }

                    return true;

                case JsonValueKind.Array:
                    foreach (JsonElement item in value.EnumerateArray())
                    {
                        if (!IsText(item, out error))
                        {
                            return false;
                        }
                    }

                    return true;

                default:
                    return true;
            }
        }
        catch (InvalidOperationException ex)
        {
            error = ex;
            return false;
        }
    }

    private static void ExpectKind(JsonElement value, JsonValueKind kind, string path, string expected)
    {
        if (value.ValueKind != kind)
        {
            throw Mismatch(path, expected, value);
        }
    }

    private static string PathOf(string at, string name) => at.Length == 0 ? name : name.Length == 0 ? at : at + "." + name;

    private static KernelException UnknownValue(string path, string text) =>
        KernelErrors.Validation($"Invalid envelope: {path}: unknown value '{text}'");

    private static KernelException Mismatch(string path, string expected, JsonElement found)
    {
        string actual = found.ValueKind switch
        {
            JsonValueKind.Undefined => "nothing",
            JsonValueKind.Null => "null",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Number => "the number " + Shorten(found.GetRawText()),
            JsonValueKind.String => "a string",
            JsonValueKind.Array => "an array",
            _ => "an object",
        };
        return KernelErrors.Validation($"Invalid envelope: {path}: expected {expected}, found {actual}");
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");
}
