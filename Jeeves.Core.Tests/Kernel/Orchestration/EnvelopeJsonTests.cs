using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jeeves.Tests.Kernel.Orchestration;

/// <summary>
/// The envelope's JSON form (spec orchestration.md §4.1-§4.2, ipc.md §3.5, §5.4, §5.9, §5.10): the exact output for a
/// fixed envelope, RFC 3339 timestamps, and strict input with paths in every error.
/// </summary>
public sealed class EnvelopeJsonTests
{
    private const string Prefix = "validation error: Invalid envelope: ";

    /// <summary>A valid envelope with every optional key present.</summary>
    private const string Full = """
        {
          "identity": { "envelope_id": "env_1", "request_id": "req_1", "user_id": "u1", "session_id": "sess_1" },
          "raw_input": "hello",
          "received_at": "2026-01-01T00:00:00Z",
          "outputs": { "think": { "k": 1, "nested": { "a": [1, "x", null] } }, "a0": {} },
          "pipeline": {
            "current_stage": "s1", "stage_order": ["s0", "s1", "s2"], "iteration": 1, "max_iterations": 3,
            "active_stages": ["s1"], "completed_stage_set": ["s1", "s0"], "failed_stages": { "s2": "boom" },
            "parallel_mode": true
          },
          "bounds": {
            "llm_call_count": 2, "max_llm_calls": 10, "tool_call_count": 1, "agent_hop_count": 1, "max_agent_hops": 21,
            "tokens_in": 5000000000, "tokens_out": -3, "terminal_reason": "USER_CANCELLED", "terminated": true,
            "termination_reason": "stopped"
          },
          "interrupts": {
            "interrupt_pending": true,
            "interrupt": {
              "kind": "agent_review", "id": "int_1", "question": "ok?", "message": "please look", "data": { "d": 1 },
              "response": { "text": "", "approved": false, "decision": "no", "data": { "why": "x" }, "received_at": "2026-01-01T00:00:05Z" },
              "created_at": "2026-01-01T00:00:01Z", "expires_at": "2026-01-01T01:00:00Z"
            }
          },
          "execution": {
            "completed_stages": [{ "stage": 1 }], "current_stage_number": 2, "max_stages": 5, "all_goals": ["g1", "g2"],
            "remaining_goals": ["g2"], "goal_completion_status": { "g1": "complete", "g2": "pending" },
            "prior_plans": [{ "plan": "p" }], "loop_feedback": ["again"]
          },
          "audit": {
            "processing_history": [
              { "agent": "a0", "stage_order": 0, "started_at": "2026-01-01T00:00:00Z", "completed_at": "2026-01-01T00:00:01Z",
                "duration_ms": 1000, "status": "error", "error": "boom", "llm_calls": 1 }
            ],
            "errors": [{ "e": "x" }], "created_at": "2026-01-01T00:00:00Z", "completed_at": "2026-01-01T00:00:09Z",
            "metadata": { "note": "x", "n": 1, "nothing": null, "list": [] }
          }
        }
        """;

    private static readonly DateTimeOffset s_epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] s_requiredPaths =
    [
        "identity", "identity.envelope_id", "identity.request_id", "identity.user_id", "identity.session_id",
        "raw_input", "received_at", "outputs",
        "pipeline", "pipeline.current_stage", "pipeline.stage_order", "pipeline.iteration", "pipeline.max_iterations",
        "bounds", "bounds.llm_call_count", "bounds.max_llm_calls", "bounds.tool_call_count", "bounds.agent_hop_count",
        "bounds.max_agent_hops", "bounds.tokens_in", "bounds.tokens_out", "bounds.terminated",
        "interrupts", "interrupts.interrupt_pending",
        "interrupts.interrupt.kind", "interrupts.interrupt.id", "interrupts.interrupt.created_at",
        "execution", "execution.completed_stages", "execution.current_stage_number", "execution.max_stages",
        "execution.all_goals", "execution.remaining_goals", "execution.goal_completion_status", "execution.prior_plans",
        "execution.loop_feedback",
        "audit", "audit.processing_history", "audit.errors", "audit.created_at", "audit.metadata",
        "audit.processing_history[0].agent", "audit.processing_history[0].stage_order", "audit.processing_history[0].started_at",
        "audit.processing_history[0].duration_ms", "audit.processing_history[0].status", "audit.processing_history[0].llm_calls",
    ];

    private static readonly string[] s_optionalPaths =
    [
        "pipeline.active_stages", "pipeline.completed_stage_set", "pipeline.failed_stages", "pipeline.parallel_mode",
        "bounds.terminal_reason", "bounds.termination_reason",
        "interrupts.interrupt", "interrupts.interrupt.question", "interrupts.interrupt.message", "interrupts.interrupt.data",
        "interrupts.interrupt.response", "interrupts.interrupt.expires_at",
        "interrupts.interrupt.response.text", "interrupts.interrupt.response.approved", "interrupts.interrupt.response.decision",
        "interrupts.interrupt.response.data", "interrupts.interrupt.response.received_at",
        "audit.completed_at", "audit.processing_history[0].completed_at", "audit.processing_history[0].error",
    ];

    [Test]
    public void ToJson_SmallEnvelope_ExactTextWithOmittedFieldsAndAdaptiveTimestamps()
    {
        Envelope e = Small();

        string json = e.ToJson();

        Assert.That(json, Is.EqualTo(Lines("""
            {"identity":{"envelope_id":"env_1","request_id":"req_1","user_id":"u1","session_id":"sess_1"},"raw_input":"hi",
            "received_at":"2026-01-01T00:00:00Z","outputs":{"a0":{},"think":{"k":1}},
            "pipeline":{"current_stage":"s1","stage_order":["s0","s1"],"iteration":1,"max_iterations":3,"completed_stage_set":["S2","s0","s1"],"parallel_mode":false},
            "bounds":{"llm_call_count":2,"max_llm_calls":10,"tool_call_count":1,"agent_hop_count":1,"max_agent_hops":21,"tokens_in":5000000000,"tokens_out":0,"terminated":false},
            "interrupts":{"interrupt_pending":true,"interrupt":{"kind":"clarification","id":"int_1","question":"which?","response":{"text":"","received_at":"2026-01-01T00:00:00.123456Z"},"created_at":"2026-01-01T00:00:00Z"}},
            "execution":{"completed_stages":[],"current_stage_number":1,"max_stages":5,"all_goals":[],"remaining_goals":[],"goal_completion_status":{},"prior_plans":[],"loop_feedback":[]},
            "audit":{"processing_history":[{"agent":"a0","stage_order":0,"started_at":"2026-01-01T00:00:00.1234567Z","completed_at":"2026-01-01T00:00:01Z","duration_ms":877,"status":"success","llm_calls":2}],
            "errors":[],"created_at":"2026-01-01T00:00:00.123Z","metadata":{"note":"x"}}}
            """)));
        Assert.That(EnvelopeJson.ToElement(e).GetRawText(), Is.EqualTo(json));
    }

    [Test]
    public void Write_ToCallersWriter_SameTextAsToJson()
    {
        Envelope e = Small();
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            EnvelopeJson.Write(writer, e);
        }

        Assert.That(System.Text.Encoding.UTF8.GetString(stream.ToArray()), Is.EqualTo(e.ToJson()));
    }

    [Test]
    public void ToJson_CreatedEnvelope_OmitsEveryNoneAndEmptySetAndReadsBackEqual()
    {
        Envelope e = Envelope.Create(s_epoch);

        JsonObject o = JsonNode.Parse(e.ToJson())!.AsObject();
        Envelope back = Envelope.FromJson(e.ToJson());

        Assert.That(o["pipeline"]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "current_stage", "stage_order", "iteration", "max_iterations", "parallel_mode" }));
        Assert.That(o["bounds"]!.AsObject().ContainsKey("terminal_reason") || o["bounds"]!.AsObject().ContainsKey("termination_reason"), Is.False);
        Assert.That(o["interrupts"]!.ToJsonString(), Is.EqualTo("""{"interrupt_pending":false}"""));
        Assert.That(o["audit"]!.AsObject().ContainsKey("completed_at"), Is.False);
        Assert.That(back.ToJson(), Is.EqualTo(e.ToJson()));
        Assert.That((back.Identity, back.Pipeline.CurrentStage, back.Bounds, back.ReceivedAt, back.Audit.CreatedAt), Is.EqualTo((e.Identity, "start", e.Bounds, s_epoch, s_epoch)));
    }

    [TestCase(0L, "2026-01-01T00:00:00Z")]
    [TestCase(1_230_000L, "2026-01-01T00:00:00.123Z")]
    [TestCase(10_000L, "2026-01-01T00:00:00.001Z")]
    [TestCase(1_234_560L, "2026-01-01T00:00:00.123456Z")]
    [TestCase(10L, "2026-01-01T00:00:00.000001Z")]
    [TestCase(1_234_567L, "2026-01-01T00:00:00.1234567Z")]
    [TestCase(1L, "2026-01-01T00:00:00.0000001Z")]
    [TestCase(9_999_999L, "2026-01-01T00:00:00.9999999Z")]
    public void Rfc3339Format_FractionDigitsAdaptToTheValue(long ticks, string expected)
    {
        Assert.That(Rfc3339.Format(s_epoch.AddTicks(ticks)), Is.EqualTo(expected));
        Assert.That(Rfc3339.TryParse(expected, out DateTimeOffset back) && back == s_epoch.AddTicks(ticks), Is.True);
    }

    [Test]
    public void Rfc3339Format_OffsetAndExtremes_WrittenInUtc()
    {
        Assert.That(Rfc3339.Format(new DateTimeOffset(2026, 1, 1, 2, 30, 0, TimeSpan.FromHours(2))), Is.EqualTo("2026-01-01T00:30:00Z"));
        Assert.That(Rfc3339.Format(new DateTimeOffset(2025, 12, 31, 19, 0, 0, TimeSpan.FromHours(-5))), Is.EqualTo("2026-01-01T00:00:00Z"));
        Assert.That(Rfc3339.Format(DateTimeOffset.MinValue), Is.EqualTo("0001-01-01T00:00:00Z"));
        Assert.That(Rfc3339.Format(DateTimeOffset.MaxValue), Is.EqualTo("9999-12-31T23:59:59.9999999Z"));
        Span<byte> utf8 = stackalloc byte[Rfc3339.MaxLength];
        int length = Rfc3339.FormatUtf8(DateTimeOffset.MaxValue, utf8);
        Assert.That(System.Text.Encoding.UTF8.GetString(utf8[..length]), Is.EqualTo("9999-12-31T23:59:59.9999999Z"));
    }

    [TestCase("2026-01-01T02:30:00+02:00", "2026-01-01T00:30:00Z")]
    [TestCase("2025-12-31T19:00:00.5-05:00", "2026-01-01T00:00:00.500Z")]
    [TestCase("2026-01-01T00:00:00-00:00", "2026-01-01T00:00:00Z")]
    [TestCase("2026-01-01t00:00:00z", "2026-01-01T00:00:00Z")]
    [TestCase("2026-01-01T00:00:00.123456789Z", "2026-01-01T00:00:00.1234567Z")]
    [TestCase("2026-01-01T00:00:00.1Z", "2026-01-01T00:00:00.100Z")]
    [TestCase("2024-02-29T23:59:59+23:59", "2024-02-29T00:00:59Z")]
    [TestCase("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z")]
    [TestCase("0001-01-01T01:00:00+01:00", "0001-01-01T00:00:00Z")]
    [TestCase("9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59.9999999Z")]
    public void Rfc3339TryParse_AnyOffset_ConvertedToUtc(string text, string utc)
    {
        Assert.That(Rfc3339.TryParse(text, out DateTimeOffset value), Is.True);
        Assert.That(value.Offset, Is.EqualTo(TimeSpan.Zero));
        Assert.That(Rfc3339.Format(value), Is.EqualTo(utc));
    }

    [TestCase("")]
    [TestCase("2026-01-01T00:00:00")]
    [TestCase("2026-01-01T00:00:00.123")]
    [TestCase("2026-01-01 00:00:00Z")]
    [TestCase("2026-01-01")]
    [TestCase("2026-1-01T00:00:00Z")]
    [TestCase("2026-13-01T00:00:00Z")]
    [TestCase("2026-00-01T00:00:00Z")]
    [TestCase("2026-02-29T00:00:00Z")]
    [TestCase("2026-01-32T00:00:00Z")]
    [TestCase("2026-01-01T24:00:00Z")]
    [TestCase("2026-01-01T00:60:00Z")]
    [TestCase("2026-12-31T23:59:60Z")]
    [TestCase("2026-01-01T00:00:00.Z")]
    [TestCase("2026-01-01T00:00:00,5Z")]
    [TestCase("2026-01-01T00:00:00+02")]
    [TestCase("2026-01-01T00:00:00+0200")]
    [TestCase("2026-01-01T00:00:00+2:00")]
    [TestCase("2026-01-01T00:00:00+24:00")]
    [TestCase("2026-01-01T00:00:00+02:60")]
    [TestCase("2026-01-01T00:00:00Z ")]
    [TestCase(" 2026-01-01T00:00:00Z")]
    [TestCase("2026-01-01T00:00:00ZZ")]
    [TestCase("٢٠٢٦-01-01T00:00:00Z")]
    [TestCase("0000-01-01T00:00:00Z")]
    [TestCase("0001-01-01T00:00:00+00:01")]
    [TestCase("9999-12-31T23:59:59-00:01")]
    public void Rfc3339TryParse_NotRfc3339WithOffset_Refused(string text)
    {
        Assert.That(Rfc3339.TryParse(text, out _), Is.False);
    }

    [Test]
    public void FromJson_FullEnvelope_EveryFieldRead()
    {
        Envelope e = Envelope.FromJson(Full);

        Assert.That(e.Identity, Is.EqualTo(new EnvelopeIdentity("env_1", "req_1", "u1", "sess_1")));
        Assert.That((e.RawInput, e.ReceivedAt), Is.EqualTo(("hello", s_epoch)));
        Assert.That(e.Outputs.Keys, Is.EqualTo(new[] { "a0", "think" }));
        Assert.That(e.Outputs["think"].GetProperty("nested").GetRawText(), Is.EqualTo("""{ "a": [1, "x", null] }"""));
        EnvelopePipeline p = e.Pipeline;
        Assert.That((p.CurrentStage, p.Iteration, p.MaxIterations, p.ParallelMode), Is.EqualTo(("s1", 1, 3, true)));
        Assert.That(p.StageOrder, Is.EqualTo(new[] { "s0", "s1", "s2" }));
        Assert.That(p.ActiveStages, Is.EqualTo(new[] { "s1" }));
        Assert.That(p.CompletedStageSet, Is.EqualTo(new[] { "s0", "s1" }));
        Assert.That(p.FailedStages, Is.EqualTo(new Dictionary<string, string> { ["s2"] = "boom" }));
        Assert.That(e.Bounds, Is.EqualTo(new EnvelopeBounds
        {
            LlmCallCount = 2, MaxLlmCalls = 10, ToolCallCount = 1, AgentHopCount = 1, MaxAgentHops = 21, TokensIn = 5_000_000_000, TokensOut = -3,
            TerminalReason = TerminalReason.UserCancelled, Terminated = true, TerminationReason = "stopped",
        }));
        FlowInterrupt i = e.Interrupts.Interrupt!;
        Assert.That(e.Interrupts.InterruptPending, Is.True);
        Assert.That((i.Kind, i.Id, i.Question, i.Message, i.CreatedAt, i.ExpiresAt), Is.EqualTo((InterruptKind.AgentReview, "int_1", "ok?", "please look", s_epoch.AddSeconds(1), (DateTimeOffset?)s_epoch.AddHours(1))));
        Assert.That(i.Data!.Value.GetRawText(), Is.EqualTo("""{ "d": 1 }"""));
        InterruptResponse r = i.Response!;
        Assert.That((r.Text, r.Approved, r.Decision, r.ReceivedAt), Is.EqualTo((string.Empty, (bool?)false, "no", (DateTimeOffset?)s_epoch.AddSeconds(5))));
        Assert.That(r.Data!.Value.GetRawText(), Is.EqualTo("""{ "why": "x" }"""));
        EnvelopeExecution x = e.Execution;
        Assert.That((x.CurrentStageNumber, x.MaxStages), Is.EqualTo((2, 5)));
        Assert.That(x.CompletedStages.Select(v => v.GetRawText()), Is.EqualTo(new[] { """{ "stage": 1 }""" }));
        Assert.That(x.PriorPlans.Select(v => v.GetRawText()), Is.EqualTo(new[] { """{ "plan": "p" }""" }));
        Assert.That((x.AllGoals, x.RemainingGoals, x.LoopFeedback), Is.EqualTo((new[] { "g1", "g2" }, new[] { "g2" }, new[] { "again" })));
        Assert.That(x.GoalCompletionStatus, Is.EqualTo(new Dictionary<string, string> { ["g1"] = "complete", ["g2"] = "pending" }));
        Assert.That(e.Audit.ProcessingHistory, Is.EqualTo(new[]
        {
            new ProcessingRecord { Agent = "a0", StageOrder = 0, StartedAt = s_epoch, CompletedAt = s_epoch.AddSeconds(1), DurationMs = 1000, Status = ProcessingStatus.Error, Error = "boom", LlmCalls = 1 },
        }));
        Assert.That(e.Audit.Errors.Select(v => v.GetRawText()), Is.EqualTo(new[] { """{ "e": "x" }""" }));
        Assert.That((e.Audit.CreatedAt, e.Audit.CompletedAt), Is.EqualTo((s_epoch, (DateTimeOffset?)s_epoch.AddSeconds(9))));
        Assert.That(e.Audit.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value.GetRawText()), Is.EqualTo(new Dictionary<string, string>
        {
            ["list"] = "[]", ["n"] = "1", ["note"] = "\"x\"", ["nothing"] = "null",
        }));
        Assert.That(Envelope.FromJson(e.ToJson()).ToJson(), Is.EqualTo(e.ToJson()));
    }

    [Test]
    public void Read_FromDisposableDocument_KeepsNoReferenceToIt()
    {
        Envelope e;
        using (JsonDocument doc = JsonDocument.Parse(Full))
        {
            e = EnvelopeJson.Read(doc.RootElement);
        }

        Assert.That(e.Outputs["think"].GetProperty("k").GetInt32(), Is.EqualTo(1));
        Assert.That(e.Audit.Metadata["note"].GetString(), Is.EqualTo("x"));
        Assert.That(e.ToJson(), Is.EqualTo(Envelope.FromJson(Full).ToJson()));
    }

    [Test]
    public void Read_Collections_UseOrdinalComparers()
    {
        Envelope e = Envelope.FromJson(Edit(Full, "outputs", (o, k) => o[k] = JsonNode.Parse("""{"b":{},"B":{},"a":{},"é":{}}""")));

        Assert.That(e.Outputs.KeyComparer, Is.SameAs(StringComparer.Ordinal));
        Assert.That(e.Outputs.Keys, Is.EqualTo(new[] { "B", "a", "b", "é" }));
        Assert.That(e.Audit.Metadata.KeyComparer, Is.SameAs(StringComparer.Ordinal));
        Assert.That(e.Pipeline.FailedStages.KeyComparer, Is.SameAs(StringComparer.Ordinal));
        Assert.That(e.Pipeline.CompletedStageSet.KeyComparer, Is.SameAs(StringComparer.Ordinal));
        Assert.That(e.Pipeline.ActiveStages.KeyComparer, Is.SameAs(StringComparer.Ordinal));
        Assert.That(e.Execution.GoalCompletionStatus.KeyComparer, Is.SameAs(StringComparer.Ordinal));
    }

    [Test]
    public void Read_SetsWithDuplicates_KeptOnceAndWrittenSorted()
    {
        string json = Edit(Full, "pipeline.completed_stage_set", (o, k) => o[k] = JsonNode.Parse("""["s2","s0","s2","S9"]"""));

        Envelope e = Envelope.FromJson(json);

        Assert.That(JsonNode.Parse(e.ToJson())!["pipeline"]!["completed_stage_set"]!.ToJsonString(), Is.EqualTo("""["S9","s0","s2"]"""));
    }

    [TestCaseSource(nameof(s_requiredPaths))]
    public void FromJson_RequiredKeyMissing_ErrorNamesIt(string path)
    {
        string json = Edit(Full, path, (o, k) => Assert.That(o.Remove(k), Is.True, "the test removed nothing"));

        var ex = Assert.Throws<KernelException>(() => Envelope.FromJson(json));

        Assert.That(ex.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(ex.Message, Is.EqualTo(Prefix + "missing field " + path));
    }

    [TestCaseSource(nameof(s_requiredPaths))]
    public void FromJson_RequiredKeyNull_ErrorNamesIt(string path)
    {
        string json = Edit(Full, path, (o, k) => o[k] = null);

        var ex = Assert.Throws<KernelException>(() => Envelope.FromJson(json));

        Assert.That(ex.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(ex.Message, Does.StartWith(Prefix + path + ": expected ").And.EndWith(", found null"));
    }

    [TestCaseSource(nameof(s_optionalPaths))]
    public void FromJson_OptionalKeyAbsentOrNull_MeansNone(string path)
    {
        string absent = Edit(Full, path, (o, k) => Assert.That(o.Remove(k), Is.True, "the test removed nothing"));
        string isNull = Edit(Full, path, (o, k) => o[k] = null);

        Envelope fromAbsent = Envelope.FromJson(absent);
        Envelope fromNull = Envelope.FromJson(isNull);

        Assert.That(fromNull.ToJson(), Is.EqualTo(fromAbsent.ToJson()));
        JsonObject parent = Parent(JsonNode.Parse(fromAbsent.ToJson())!, path, out string key);
        if (key == "parallel_mode")
        {
            Assert.That(parent[key]!.GetValue<bool>(), Is.False, "defaults to false and is always written");
        }
        else
        {
            Assert.That(parent.ContainsKey(key), Is.False, "none or empty, so omitted");
        }
    }

    [Test]
    public void FromJson_OptionalKeysAbsent_ModelHasNoneAndEmpty()
    {
        string json = Full;
        foreach (string path in s_optionalPaths.Where(p => !p.StartsWith("interrupts.interrupt.", StringComparison.Ordinal)))
        {
            json = Edit(json, path, (o, k) => o.Remove(k));
        }

        Envelope e = Envelope.FromJson(json);

        Assert.That((e.Pipeline.ActiveStages.Count, e.Pipeline.CompletedStageSet.Count, e.Pipeline.FailedStages.Count, e.Pipeline.ParallelMode), Is.EqualTo((0, 0, 0, false)));
        Assert.That((e.Bounds.TerminalReason, e.Bounds.TerminationReason), Is.EqualTo(((TerminalReason?)null, (string?)null)));
        Assert.That((e.Interrupts.Interrupt, e.Audit.CompletedAt), Is.EqualTo(((FlowInterrupt?)null, (DateTimeOffset?)null)));
        Assert.That((e.Audit.ProcessingHistory[0].CompletedAt, e.Audit.ProcessingHistory[0].Error), Is.EqualTo(((DateTimeOffset?)null, (string?)null)));
    }

    [Test]
    public void FromJson_InterruptResponseWithoutReceivedAt_Accepted()
    {
        string json = Edit(Full, "interrupts.interrupt.response.received_at", (o, k) => o.Remove(k));

        InterruptResponse r = Envelope.FromJson(json).Interrupts.Interrupt!.Response!;

        Assert.That((r.ReceivedAt, r.Decision), Is.EqualTo(((DateTimeOffset?)null, "no")));
    }

    [TestCase("pipeline.iteration", "\"1\"", "pipeline.iteration: expected a 32-bit integer, found a string")]
    [TestCase("pipeline.iteration", "1.5", "pipeline.iteration: expected a 32-bit integer, found the number 1.5")]
    [TestCase("pipeline.iteration", "1.0", "pipeline.iteration: expected a 32-bit integer, found the number 1.0")]
    [TestCase("pipeline.iteration", "1e2", "pipeline.iteration: expected a 32-bit integer, found the number 1e2")]
    [TestCase("pipeline.max_iterations", "2147483648", "pipeline.max_iterations: expected a 32-bit integer, found the number 2147483648")]
    [TestCase("bounds.tokens_in", "9223372036854775808", "bounds.tokens_in: expected a 64-bit integer, found the number 9223372036854775808")]
    [TestCase("bounds.tokens_out", "true", "bounds.tokens_out: expected a 64-bit integer, found a boolean")]
    [TestCase("identity", "\"env_1\"", "identity: expected an object, found a string")]
    [TestCase("identity.user_id", "7", "identity.user_id: expected a string, found the number 7")]
    [TestCase("raw_input", "{}", "raw_input: expected a string, found an object")]
    [TestCase("received_at", "0", "received_at: expected an RFC 3339 timestamp string, found the number 0")]
    [TestCase("outputs", "[]", "outputs: expected an object, found an array")]
    [TestCase("outputs.a0", "1", "outputs.a0: expected an object, found the number 1")]
    [TestCase("outputs.a0", "[{}]", "outputs.a0: expected an object, found an array")]
    [TestCase("pipeline.stage_order", "[\"s0\", 1]", "pipeline.stage_order[1]: expected a string, found the number 1")]
    [TestCase("pipeline.stage_order", "{}", "pipeline.stage_order: expected an array, found an object")]
    [TestCase("pipeline.active_stages", "\"s1\"", "pipeline.active_stages: expected an array, found a string")]
    [TestCase("pipeline.completed_stage_set", "[null]", "pipeline.completed_stage_set[0]: expected a string, found null")]
    [TestCase("pipeline.failed_stages", "{\"s2\": 1}", "pipeline.failed_stages.s2: expected a string, found the number 1")]
    [TestCase("pipeline.parallel_mode", "1", "pipeline.parallel_mode: expected a boolean, found the number 1")]
    [TestCase("bounds.terminated", "\"true\"", "bounds.terminated: expected a boolean, found a string")]
    [TestCase("bounds.terminal_reason", "1", "bounds.terminal_reason: expected a string, found the number 1")]
    [TestCase("bounds.termination_reason", "false", "bounds.termination_reason: expected a string, found a boolean")]
    [TestCase("interrupts.interrupt_pending", "0", "interrupts.interrupt_pending: expected a boolean, found the number 0")]
    [TestCase("interrupts.interrupt", "[]", "interrupts.interrupt: expected an object, found an array")]
    [TestCase("interrupts.interrupt.kind", "0", "interrupts.interrupt.kind: expected a string, found the number 0")]
    [TestCase("interrupts.interrupt.data", "\"x\"", "interrupts.interrupt.data: expected an object, found a string")]
    [TestCase("interrupts.interrupt.expires_at", "{}", "interrupts.interrupt.expires_at: expected an RFC 3339 timestamp string, found an object")]
    [TestCase("interrupts.interrupt.response", "\"ok\"", "interrupts.interrupt.response: expected an object, found a string")]
    [TestCase("interrupts.interrupt.response.approved", "\"yes\"", "interrupts.interrupt.response.approved: expected a boolean, found a string")]
    [TestCase("interrupts.interrupt.response.data", "[]", "interrupts.interrupt.response.data: expected an object, found an array")]
    [TestCase("execution.completed_stages", "[1]", "execution.completed_stages[0]: expected an object, found the number 1")]
    [TestCase("execution.prior_plans", "[{}, []]", "execution.prior_plans[1]: expected an object, found an array")]
    [TestCase("execution.goal_completion_status", "{\"g1\": true}", "execution.goal_completion_status.g1: expected a string, found a boolean")]
    [TestCase("execution.loop_feedback", "\"again\"", "execution.loop_feedback: expected an array, found a string")]
    [TestCase("audit.errors", "{}", "audit.errors: expected an array, found an object")]
    [TestCase("audit.metadata", "[]", "audit.metadata: expected an object, found an array")]
    [TestCase("audit.processing_history", "[{}, 1]", "missing field audit.processing_history[0].agent")]
    [TestCase("audit.processing_history[0].duration_ms", "-1.5", "audit.processing_history[0].duration_ms: expected a 32-bit integer, found the number -1.5")]
    [TestCase("audit.processing_history[0].error", "[]", "audit.processing_history[0].error: expected a string, found an array")]
    public void FromJson_WrongType_ErrorNamesPathAndTypes(string path, string value, string detail)
    {
        string json = Edit(Full, path, (o, k) => o[k] = JsonNode.Parse(value));

        var ex = Assert.Throws<KernelException>(() => Envelope.FromJson(json));

        Assert.That(ex.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(ex.Message, Is.EqualTo(Prefix + detail));
    }

    [TestCase("bounds.terminal_reason", "DONE")]
    [TestCase("bounds.terminal_reason", "completed")]
    [TestCase("bounds.terminal_reason", "Completed")]
    [TestCase("bounds.terminal_reason", "")]
    [TestCase("interrupts.interrupt.kind", "Clarification")]
    [TestCase("interrupts.interrupt.kind", "AGENT_REVIEW")]
    [TestCase("interrupts.interrupt.kind", "agent-review")]
    [TestCase("audit.processing_history[0].status", "SUCCESS")]
    [TestCase("audit.processing_history[0].status", "failed")]
    public void FromJson_UnknownEnumSpelling_RefusedCaseSensitively(string path, string spelling)
    {
        string json = Edit(Full, path, (o, k) => o[k] = spelling);

        var ex = Assert.Throws<KernelException>(() => Envelope.FromJson(json));

        Assert.That(ex.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(ex.Message, Is.EqualTo($"{Prefix}{path}: unknown value '{spelling}'"));
    }

    [TestCase("")]
    [TestCase("identity")]
    [TestCase("pipeline")]
    [TestCase("bounds")]
    [TestCase("interrupts")]
    [TestCase("interrupts.interrupt")]
    [TestCase("interrupts.interrupt.response")]
    [TestCase("execution")]
    [TestCase("audit")]
    [TestCase("audit.processing_history[0]")]
    public void FromJson_UnknownKeys_Ignored(string at)
    {
        string json = Edit(Full, at.Length == 0 ? "x_extra" : at + ".x_extra", (o, k) =>
        {
            o[k] = JsonNode.Parse("""{"anything":[1,2]}""");
            o["request_context"] = "flat";
        });

        Assert.That(Envelope.FromJson(json).ToJson(), Is.EqualTo(Envelope.FromJson(Full).ToJson()));
    }

    [Test]
    public void FromJson_TimestampWithOffset_ConvertedToUtc()
    {
        string json = Edit(Full, "received_at", (o, k) => o[k] = "2026-01-01T02:30:00.5+02:00");
        json = Edit(json, "interrupts.interrupt.expires_at", (o, k) => o[k] = "2025-12-31T20:00:00-05:00");

        Envelope e = Envelope.FromJson(json);

        Assert.That(e.ReceivedAt, Is.EqualTo(new DateTimeOffset(2026, 1, 1, 0, 30, 0, 500, TimeSpan.Zero)));
        Assert.That(e.ReceivedAt.Offset, Is.EqualTo(TimeSpan.Zero));
        Assert.That(e.Interrupts.Interrupt!.ExpiresAt!.Value.Offset, Is.EqualTo(TimeSpan.Zero));
        JsonNode written = JsonNode.Parse(e.ToJson())!;
        Assert.That(written["received_at"]!.GetValue<string>(), Is.EqualTo("2026-01-01T00:30:00.500Z"));
        Assert.That(written["interrupts"]!["interrupt"]!["expires_at"]!.GetValue<string>(), Is.EqualTo("2026-01-01T01:00:00Z"));
    }

    [TestCase("received_at", "2026-01-01T00:00:00")]
    [TestCase("audit.created_at", "2026-01-01T00:00:00.000")]
    [TestCase("audit.completed_at", "2026-01-01")]
    [TestCase("interrupts.interrupt.created_at", "2026-01-01 00:00:00Z")]
    [TestCase("interrupts.interrupt.response.received_at", "yesterday")]
    [TestCase("audit.processing_history[0].started_at", "2026-01-01T00:00:00+0200")]
    public void FromJson_TimestampWithoutOffsetOrMalformed_Refused(string path, string text)
    {
        string json = Edit(Full, path, (o, k) => o[k] = text);

        var ex = Assert.Throws<KernelException>(() => Envelope.FromJson(json));

        Assert.That(ex.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(ex.Message, Is.EqualTo($"{Prefix}{path}: invalid timestamp '{text}' (RFC 3339 with an offset expected)"));
    }

    [TestCase("\"raw_input\": \"hello\"", "\"raw_input\": \"\\ud800x\"", "raw_input: invalid string: ")]
    [TestCase("\"received_at\": \"2026-01-01T00:00:00Z\"", "\"received_at\": \"\\udc00\"", "received_at: invalid string: ")]
    [TestCase("\"stage_order\": [\"s0\", \"s1\"", "\"stage_order\": [\"s0\", \"s1\\ud800\"", "pipeline.stage_order[1]: invalid string: ")]
    [TestCase("\"failed_stages\": { \"s2\"", "\"failed_stages\": { \"s2\\ud800\"", "pipeline.failed_stages: invalid key: ")]
    [TestCase("\"g2\": \"pending\"", "\"g2\": \"pending\\ud800\"", "execution.goal_completion_status.g2: invalid string: ")]
    [TestCase("\"a0\": {}", "\"\\udc00\": {}", "outputs: invalid key: ")]
    [TestCase("[1, \"x\", null]", "[1, \"x\\ud800\", null]", "outputs.think: invalid string: ")]
    [TestCase("\"note\": \"x\"", "\"note\": \"\\ud800\"", "audit.metadata.note: invalid string: ")]
    [TestCase("[{ \"e\": \"x\" }]", "[{ \"\\ud800\": \"x\" }]", "audit.errors[0]: invalid string: ")]
    [TestCase("\"data\": { \"d\": 1 }", "\"data\": { \"d\": [\"\\ud800\"] }", "interrupts.interrupt.data: invalid string: ")]
    [TestCase("\"kind\": \"agent_review\"", "\"kind\": \"agent_review\\ud800\"", "interrupts.interrupt.kind: invalid string: ")]
    public void FromJson_EscapedLoneSurrogate_RefusedWithThePath(string find, string replacement, string detail)
    {
        Assert.That(Full.Contains(find, StringComparison.Ordinal), Is.True, "the test changes nothing");
        string json = Full.Replace(find, replacement, StringComparison.Ordinal);

        var ex = Assert.Throws<KernelException>(() => Envelope.FromJson(json));

        Assert.That(ex.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(ex.Message, Does.StartWith(Prefix + detail));
    }

    [Test]
    public void FromJson_EscapedText_DecodedAndWrittenBackEscaped()
    {
        string json = Full.Replace("\"raw_input\": \"hello\"", "\"raw_input\": \"\\ud83d\\ude00 \\u00e9 \\\" \\n\"", StringComparison.Ordinal)
            .Replace("\"note\": \"x\"", "\"n\\u00f8te\": \"\\ud83d\\ude00\"", StringComparison.Ordinal);

        Envelope e = Envelope.FromJson(json);

        Assert.That(e.RawInput, Is.EqualTo("😀 é \" \n"));
        Assert.That(e.Audit.Metadata["nøte"].GetString(), Is.EqualTo("😀"));
        Assert.That(Envelope.FromJson(e.ToJson()).RawInput, Is.EqualTo(e.RawInput));
    }

    [TestCase("")]
    [TestCase("{")]
    [TestCase("{\"identity\":}")]
    [TestCase("{} {}")]
    [TestCase("nul")]
    public void FromJson_NotJson_InvalidArgumentWithTheParserMessage(string text)
    {
        var ex = Assert.Throws<KernelException>(() => Envelope.FromJson(text));

        Assert.That(ex.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(ex.Message, Does.StartWith(Prefix));
        Assert.That(ex.InnerException, Is.InstanceOf<JsonException>());
    }

    [TestCase("[]", "envelope: expected an object, found an array")]
    [TestCase("null", "envelope: expected an object, found null")]
    [TestCase("\"x\"", "envelope: expected an object, found a string")]
    [TestCase("{}", "missing field identity")]
    [TestCase("""{"envelope_id":"e","current_stage":"s","llm_call_count":0,"request_context":{}}""", "missing field identity")]
    public void FromJson_NotAnEnvelopeObject_Refused(string text, string detail)
    {
        var ex = Assert.Throws<KernelException>(() => Envelope.FromJson(text));

        Assert.That(ex.Message, Is.EqualTo(Prefix + detail));
    }

    [Test]
    public void FromJson_Null_ArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => Envelope.FromJson(null!));
    }

    [Test]
    public void Read_UndefinedElement_Refused()
    {
        var ex = Assert.Throws<KernelException>(() => EnvelopeJson.Read(default));

        Assert.That(ex.Message, Is.EqualTo(Prefix + "envelope: expected an object, found nothing"));
    }

    [Test]
    public void EveryEnumMember_RoundTripsThroughItsWireSpelling()
    {
        Envelope full = Envelope.FromJson(Full);
        foreach (TerminalReason reason in Enum.GetValues<TerminalReason>())
        {
            Envelope e = full with { Bounds = full.Bounds with { TerminalReason = reason } };
            Envelope back = Envelope.FromJson(e.ToJson());
            Assert.That(back.Bounds.TerminalReason, Is.EqualTo(reason));
            Assert.That(JsonNode.Parse(e.ToJson())!["bounds"]!["terminal_reason"]!.GetValue<string>(), Is.EqualTo(WireNames.ToWire(reason)));
        }

        foreach (InterruptKind kind in Enum.GetValues<InterruptKind>())
        {
            Envelope e = full with { Interrupts = full.Interrupts with { Interrupt = full.Interrupts.Interrupt! with { Kind = kind } } };
            Envelope back = Envelope.FromJson(e.ToJson());
            Assert.That(back.Interrupts.Interrupt!.Kind, Is.EqualTo(kind));
            Assert.That(JsonNode.Parse(e.ToJson())!["interrupts"]!["interrupt"]!["kind"]!.GetValue<string>(), Is.EqualTo(WireNames.ToWire(kind)));
        }

        foreach (ProcessingStatus status in Enum.GetValues<ProcessingStatus>())
        {
            Envelope e = full with { Audit = full.Audit with { ProcessingHistory = [full.Audit.ProcessingHistory[0] with { Status = status }] } };
            Envelope back = Envelope.FromJson(e.ToJson());
            Assert.That(back.Audit.ProcessingHistory[0].Status, Is.EqualTo(status));
            Assert.That(JsonNode.Parse(e.ToJson())!["audit"]!["processing_history"]![0]!["status"]!.GetValue<string>(), Is.EqualTo(WireNames.ToWire(status)));
        }
    }

    [Test]
    public void ToJson_JsonNullData_OmittedLikeNone()
    {
        JsonElement nullValue = JsonElement.Parse("null");
        Envelope full = Envelope.FromJson(Full);
        FlowInterrupt i = full.Interrupts.Interrupt! with { Data = nullValue, Response = full.Interrupts.Interrupt!.Response! with { Data = nullValue } };

        JsonNode written = JsonNode.Parse((full with { Interrupts = full.Interrupts with { Interrupt = i } }).ToJson())!;

        Assert.That(written["interrupts"]!["interrupt"]!.AsObject().ContainsKey("data"), Is.False);
        Assert.That(written["interrupts"]!["interrupt"]!["response"]!.AsObject().ContainsKey("data"), Is.False);
    }

    [Test]
    public void FromJson_DeepValuesWithinTheLimit_RoundTrip()
    {
        // A stored value may nest 64 deep on its own; the envelope around it adds a few levels.
        string deep = string.Concat(Enumerable.Repeat("{\"d\":", 63)) + "1" + new string('}', 63);
        string json = Edit(Full, "interrupts.interrupt.response.data", (o, k) => o[k] = JsonNode.Parse(deep, documentOptions: new JsonDocumentOptions { MaxDepth = 128 }));

        Envelope e = Envelope.FromJson(json);

        Assert.That(Envelope.FromJson(e.ToJson()).ToJson(), Is.EqualTo(e.ToJson()));
        Assert.That(EnvelopeJson.ToElement(e).GetRawText(), Is.EqualTo(e.ToJson()));
    }

    /// <summary>A small envelope: some optional fields set, the rest none, and a timestamp of each precision.</summary>
    private static Envelope Small() => new()
    {
        Identity = new EnvelopeIdentity("env_1", "req_1", "u1", "sess_1"),
        RawInput = "hi",
        ReceivedAt = s_epoch,
        Outputs = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new KeyValuePair<string, JsonElement>[]
        {
            new("think", JsonElement.Parse("""{"k":1}""")),
            new("a0", JsonElement.Parse("{}")),
        }),
        Pipeline = new EnvelopePipeline
        {
            CurrentStage = "s1",
            StageOrder = ["s0", "s1"],
            Iteration = 1,
            CompletedStageSet = ImmutableSortedSet.Create(StringComparer.Ordinal, "s1", "s0", "S2"),
        },
        Bounds = new EnvelopeBounds { LlmCallCount = 2, ToolCallCount = 1, AgentHopCount = 1, TokensIn = 5_000_000_000 },
        Interrupts = new EnvelopeInterrupts
        {
            InterruptPending = true,
            Interrupt = new FlowInterrupt
            {
                Kind = InterruptKind.Clarification,
                Id = "int_1",
                Question = "which?",
                Response = new InterruptResponse { Text = string.Empty, ReceivedAt = s_epoch.AddTicks(1_234_560) },
                CreatedAt = new DateTimeOffset(2026, 1, 1, 2, 0, 0, TimeSpan.FromHours(2)),
            },
        },
        Audit = new EnvelopeAudit
        {
            ProcessingHistory =
            [
                new ProcessingRecord { Agent = "a0", StartedAt = s_epoch.AddTicks(1_234_567), CompletedAt = s_epoch.AddSeconds(1), DurationMs = 877, Status = ProcessingStatus.Success, LlmCalls = 2 },
            ],
            CreatedAt = s_epoch.AddMilliseconds(123),
            Metadata = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [new KeyValuePair<string, JsonElement>("note", JsonElement.Parse("\"x\""))]),
        },
    };

    /// <summary>Joins the lines of a raw literal, so long exact JSON texts can be wrapped.</summary>
    private static string Lines(string text) => string.Concat(text.Split('\n').Select(line => line.Trim()));

    /// <summary>Changes the JSON text at a dotted path (<c>a.b[0].c</c>): <paramref name="edit"/> gets the parent object and the last key.</summary>
    private static string Edit(string json, string path, Action<JsonObject, string> edit)
    {
        JsonNode root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 128 })!;
        JsonObject parent = Parent(root, path, out string key);
        edit(parent, key);
        return root.ToJsonString(new JsonSerializerOptions { MaxDepth = 128 });
    }

    private static JsonObject Parent(JsonNode root, string path, out string key)
    {
        string[] parts = path.Split('.');
        JsonNode node = root;
        foreach (string part in parts[..^1])
        {
            int bracket = part.IndexOf('[', StringComparison.Ordinal);
            node = bracket < 0
                ? node[part]!
                : node[part[..bracket]]![int.Parse(part[(bracket + 1)..^1], CultureInfo.InvariantCulture)]!;
        }

        key = parts[^1];
        return node.AsObject();
    }
}
