using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;

namespace Jeeves.Tests.Kernel.Orchestration;

/// <summary>
/// Invariant 19 (spec orchestration.md §10): serialising then deserialising gives an equal envelope, and every enum
/// member round-trips. Records holding immutable collections or <see cref="JsonElement"/>s compare those by reference,
/// so equality is checked field by field and through the canonical text (which covers every field).
/// </summary>
public sealed partial class EnvelopeJsonProperties
{
    /// <summary>Read(ToElement(e)) equals e.</summary>
    [Property(Arbitrary = new[] { typeof(EnvelopeJsonArbitraries) }, MaxTest = 300)]
    public void ReadOfToElement_AnyEnvelope_Equal(EnvelopeCase c)
    {
        Envelope e = c.Envelope;

        JsonElement first = EnvelopeJson.ToElement(e);
        Envelope back = EnvelopeJson.Read(first);

        Assert.That(EnvelopeJson.ToElement(back).GetRawText(), Is.EqualTo(first.GetRawText()), "canonical text");
        AssertEqual(back, e);
    }

    /// <summary>FromJson(ToJson(e)) equals e, and the text is the element's.</summary>
    [Property(Arbitrary = new[] { typeof(EnvelopeJsonArbitraries) }, MaxTest = 200)]
    public void FromJsonOfToJson_AnyEnvelope_Equal(EnvelopeCase c)
    {
        Envelope e = c.Envelope;

        string json = e.ToJson();
        Envelope back = Envelope.FromJson(json);

        Assert.That(json, Is.EqualTo(EnvelopeJson.ToElement(e).GetRawText()));
        Assert.That(back.ToJson(), Is.EqualTo(json));
        AssertEqual(back, e);
    }

    /// <summary>
    /// The output follows §4.2: no empty stage set, no null, sets and map keys in ordinal order, and every timestamp in
    /// UTC with a <c>Z</c> and 0, 3, 6 or 7 fractional digits, the fewest that hold the value.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(EnvelopeJsonArbitraries) }, MaxTest = 200)]
    public void ToJson_AnyEnvelope_FollowsTheOutputRules(EnvelopeCase c)
    {
        Envelope e = c.Envelope;

        JsonObject o = JsonNode.Parse(e.ToJson())!.AsObject();

        JsonObject pipeline = o["pipeline"]!.AsObject();
        Assert.That(pipeline.ContainsKey("active_stages"), Is.EqualTo(e.Pipeline.ActiveStages.Count > 0));
        Assert.That(pipeline.ContainsKey("completed_stage_set"), Is.EqualTo(e.Pipeline.CompletedStageSet.Count > 0));
        Assert.That(pipeline.ContainsKey("failed_stages"), Is.EqualTo(e.Pipeline.FailedStages.Count > 0));
        foreach (string set in new[] { "active_stages", "completed_stage_set" })
        {
            if (pipeline[set] is JsonArray items)
            {
                string[] names = items.Select(n => n!.GetValue<string>()).ToArray();
                Assert.That(names, Is.EqualTo(names.Order(StringComparer.Ordinal).Distinct(StringComparer.Ordinal)), set);
            }
        }

        foreach (string map in new[] { "outputs", "audit.metadata", "pipeline.failed_stages", "execution.goal_completion_status" })
        {
            JsonNode? node = map.Split('.').Aggregate((JsonNode?)o, (n, k) => n?[k]);
            if (node is JsonObject entries)
            {
                string[] keys = entries.Select(kv => kv.Key).ToArray();
                Assert.That(keys, Is.EqualTo(keys.Order(StringComparer.Ordinal)), map);
            }
        }

        AssertNoEnvelopeNulls(o, "envelope");
        foreach ((string path, DateTimeOffset? expected) in Timestamps(e))
        {
            JsonNode? node = path.Split('.').Aggregate((JsonNode?)o, (n, k) => k.StartsWith('#') ? n?[int.Parse(k[1..], System.Globalization.CultureInfo.InvariantCulture)] : n?[k]);
            if (expected is not { } time)
            {
                Assert.That(node, Is.Null, path + " omitted");
                continue;
            }

            string text = node!.GetValue<string>();
            Assert.That(text, Does.Match(TimestampPattern()), path);
            Assert.That(Rfc3339.TryParse(text, out DateTimeOffset back) && back == time, Is.True, path);
            long fraction = time.UtcTicks % TimeSpan.TicksPerSecond;
            int digits = fraction == 0 ? 0 : fraction % TimeSpan.TicksPerMillisecond == 0 ? 3 : fraction % TimeSpan.TicksPerMicrosecond == 0 ? 6 : 7;
            Assert.That(text.Length, Is.EqualTo(digits == 0 ? 20 : 21 + digits), path + " has the fewest digits");
        }
    }

    /// <summary>Any instant written with any offset and 0-9 fractional digits parses to the same instant, truncated to ticks.</summary>
    [Property(Arbitrary = new[] { typeof(EnvelopeJsonArbitraries) }, MaxTest = 500)]
    public void Rfc3339TryParse_AnyOffsetAndPrecision_SameInstant(TimeCase c)
    {
        DateTimeOffset local = c.Time;
        string fraction = (local.Ticks % TimeSpan.TicksPerSecond).ToString("D7", System.Globalization.CultureInfo.InvariantCulture) + "00";
        string text = local.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)
            + (c.Digits == 0 ? string.Empty : "." + fraction[..c.Digits])
            + (local.Offset == TimeSpan.Zero && c.Digits % 2 == 0 ? "Z" : local.ToString("zzz", System.Globalization.CultureInfo.InvariantCulture));
        long keptTicks = c.Digits >= 7 ? local.Ticks % TimeSpan.TicksPerSecond : long.Parse(fraction[..c.Digits].PadRight(7, '0'), System.Globalization.CultureInfo.InvariantCulture);
        DateTimeOffset expected = local.AddTicks(keptTicks - (local.Ticks % TimeSpan.TicksPerSecond));

        bool parsed = Rfc3339.TryParse(text, out DateTimeOffset value);

        Assert.That(parsed, Is.True, text);
        Assert.That((value, value.Offset), Is.EqualTo((expected, TimeSpan.Zero)), text);
        Assert.That(Rfc3339.TryParse(Rfc3339.Format(value), out DateTimeOffset again) && again == value, Is.True);
    }

    /// <summary>Every member of the three envelope enums round-trips through its wire spelling, and only that exact spelling parses.</summary>
    [Test]
    public void EveryEnvelopeEnumMember_RoundTripsAndCaseMatters()
    {
        foreach (TerminalReason r in Enum.GetValues<TerminalReason>())
        {
            Assert.That(WireNames.TryParseTerminalReason(WireNames.ToWire(r), out TerminalReason back) && back == r, Is.True, r.ToString());
            Assert.That(WireNames.TryParseTerminalReason(WireNames.ToWire(r).ToLowerInvariant(), out _), Is.False);
        }

        foreach (InterruptKind k in Enum.GetValues<InterruptKind>())
        {
            Assert.That(WireNames.TryParseInterruptKind(WireNames.ToWire(k), out InterruptKind back) && back == k, Is.True, k.ToString());
            Assert.That(WireNames.TryParseInterruptKind(WireNames.ToWire(k).ToUpperInvariant(), out _), Is.False);
        }

        foreach (ProcessingStatus s in Enum.GetValues<ProcessingStatus>())
        {
            Assert.That(WireNames.TryParseProcessingStatus(WireNames.ToWire(s), out ProcessingStatus back) && back == s, Is.True, s.ToString());
            Assert.That(WireNames.TryParseProcessingStatus(WireNames.ToWire(s).ToUpperInvariant(), out _), Is.False);
        }
    }

    private static void AssertEqual(Envelope back, Envelope e)
    {
        Assert.That(back.Identity, Is.EqualTo(e.Identity));
        Assert.That(back.RawInput, Is.EqualTo(e.RawInput));
        AssertTime(back.ReceivedAt, e.ReceivedAt, "received_at");
        AssertValues(back.Outputs, e.Outputs, "outputs");

        EnvelopePipeline p = back.Pipeline, q = e.Pipeline;
        Assert.That((p.CurrentStage, p.Iteration, p.MaxIterations, p.ParallelMode), Is.EqualTo((q.CurrentStage, q.Iteration, q.MaxIterations, q.ParallelMode)));
        Assert.That(p.StageOrder, Is.EqualTo(q.StageOrder));
        Assert.That(p.ActiveStages, Is.EqualTo(q.ActiveStages));
        Assert.That(p.CompletedStageSet, Is.EqualTo(q.CompletedStageSet));
        Assert.That(p.FailedStages, Is.EqualTo(q.FailedStages));

        Assert.That(back.Bounds, Is.EqualTo(e.Bounds), "bounds holds scalars only");

        Assert.That(back.Interrupts.InterruptPending, Is.EqualTo(e.Interrupts.InterruptPending));
        Assert.That(back.Interrupts.Interrupt is null, Is.EqualTo(e.Interrupts.Interrupt is null));
        if (e.Interrupts.Interrupt is { } i)
        {
            FlowInterrupt j = back.Interrupts.Interrupt!;
            Assert.That((j.Kind, j.Id, j.Question, j.Message, j.CreatedAt, j.ExpiresAt), Is.EqualTo((i.Kind, i.Id, i.Question, i.Message, i.CreatedAt, i.ExpiresAt)));
            AssertTime(j.CreatedAt, i.CreatedAt, "interrupt.created_at");
            AssertValue(j.Data, i.Data, "interrupt.data");
            Assert.That(j.Response is null, Is.EqualTo(i.Response is null));
            if (i.Response is { } r)
            {
                InterruptResponse s = j.Response!;
                Assert.That((s.Text, s.Approved, s.Decision, s.ReceivedAt), Is.EqualTo((r.Text, r.Approved, r.Decision, r.ReceivedAt)));
                AssertValue(s.Data, r.Data, "response.data");
            }
        }

        EnvelopeExecution x = back.Execution, y = e.Execution;
        Assert.That((x.CurrentStageNumber, x.MaxStages), Is.EqualTo((y.CurrentStageNumber, y.MaxStages)));
        Assert.That((x.AllGoals, x.RemainingGoals, x.LoopFeedback), Is.EqualTo((y.AllGoals, y.RemainingGoals, y.LoopFeedback)));
        Assert.That(x.GoalCompletionStatus, Is.EqualTo(y.GoalCompletionStatus));
        AssertValues(x.CompletedStages, y.CompletedStages, "completed_stages");
        AssertValues(x.PriorPlans, y.PriorPlans, "prior_plans");

        Assert.That(back.Audit.ProcessingHistory, Is.EqualTo(e.Audit.ProcessingHistory), "records hold scalars only");
        Assert.That(back.Audit.ProcessingHistory.All(h => h.StartedAt.Offset == TimeSpan.Zero && h.CompletedAt?.Offset is null or { Ticks: 0 }), Is.True);
        AssertValues(back.Audit.Errors, e.Audit.Errors, "errors");
        AssertTime(back.Audit.CreatedAt, e.Audit.CreatedAt, "audit.created_at");
        Assert.That(back.Audit.CompletedAt, Is.EqualTo(e.Audit.CompletedAt));
        AssertValues(back.Audit.Metadata, e.Audit.Metadata, "metadata");
    }

    private static void AssertTime(DateTimeOffset back, DateTimeOffset original, string what)
    {
        Assert.That(back, Is.EqualTo(original), what);
        Assert.That(back.Offset, Is.EqualTo(TimeSpan.Zero), what + " is read in UTC");
    }

    private static void AssertValue(JsonElement? back, JsonElement? original, string what)
    {
        Assert.That(back is null, Is.EqualTo(original is null), what);
        if (original is { } o)
        {
            Assert.That(JsonElement.DeepEquals(back!.Value, o), Is.True, what);
        }
    }

    private static void AssertValues(ImmutableList<JsonElement> back, ImmutableList<JsonElement> original, string what)
    {
        Assert.That(back, Has.Count.EqualTo(original.Count), what);
        for (int i = 0; i < original.Count; i++)
        {
            Assert.That(JsonElement.DeepEquals(back[i], original[i]), Is.True, $"{what}[{i}]");
        }
    }

    private static void AssertValues(ImmutableSortedDictionary<string, JsonElement> back, ImmutableSortedDictionary<string, JsonElement> original, string what)
    {
        Assert.That(back.KeyComparer, Is.SameAs(StringComparer.Ordinal), what);
        Assert.That(back.Keys, Is.EqualTo(original.Keys), what);
        foreach ((string key, JsonElement value) in original)
        {
            Assert.That(JsonElement.DeepEquals(back[key], value), Is.True, $"{what}.{key}");
        }
    }

    /// <summary>No key the envelope schema owns is written as null (values inside stored JSON may be null).</summary>
    private static void AssertNoEnvelopeNulls(JsonObject o, string at)
    {
        foreach ((string key, JsonNode? value) in o)
        {
            Assert.That(value, Is.Not.Null, $"{at}.{key}");
            bool stored = key is "outputs" or "metadata" or "data" or "errors" or "completed_stages" or "prior_plans";
            if (!stored && value is JsonObject child)
            {
                AssertNoEnvelopeNulls(child, $"{at}.{key}");
            }
            else if (!stored && value is JsonArray items)
            {
                foreach (JsonObject item in items.OfType<JsonObject>())
                {
                    AssertNoEnvelopeNulls(item, $"{at}.{key}[]");
                }
            }
        }
    }

    /// <summary>Every timestamp of the envelope with its output path (<c>#n</c> is an array index), none when absent.</summary>
    private static IEnumerable<(string Path, DateTimeOffset? Time)> Timestamps(Envelope e)
    {
        yield return ("received_at", e.ReceivedAt);
        yield return ("audit.created_at", e.Audit.CreatedAt);
        yield return ("audit.completed_at", e.Audit.CompletedAt);
        if (e.Interrupts.Interrupt is { } i)
        {
            yield return ("interrupts.interrupt.created_at", i.CreatedAt);
            yield return ("interrupts.interrupt.expires_at", i.ExpiresAt);
            if (i.Response is { } r)
            {
                yield return ("interrupts.interrupt.response.received_at", r.ReceivedAt);
            }
        }

        for (int n = 0; n < e.Audit.ProcessingHistory.Count; n++)
        {
            ProcessingRecord h = e.Audit.ProcessingHistory[n];
            yield return ($"audit.processing_history.#{n}.started_at", h.StartedAt);
            yield return ($"audit.processing_history.#{n}.completed_at", h.CompletedAt);
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3}|\.\d{6}|\.\d{7})?Z$")]
    private static partial Regex TimestampPattern();
}

/// <summary>A random envelope; it prints as its JSON.</summary>
public sealed record EnvelopeCase(Envelope Envelope)
{
    public override string ToString() => Envelope.ToJson();
}

/// <summary>An instant with an offset, written with <see cref="Digits"/> fractional digits (0-9).</summary>
public sealed record TimeCase(DateTimeOffset Time, int Digits)
{
    public override string ToString() => $"{Time:O} with {Digits} digits";
}

/// <summary>
/// Random envelopes in which every field is either populated or empty/none: awkward strings (quotes, control
/// characters, non-ASCII, surrogate pairs, the empty string), integer extremes, every enum member, nested JSON values,
/// and timestamps of every precision (seconds, ms, µs, 100 ns) across the whole range with offsets.
/// </summary>
public static class EnvelopeJsonArbitraries
{
    private static readonly string[] s_awkward =
    [
        string.Empty, "s0", "start", "a b", "\"quoted\"", "back\\slash", "line\nbreak\ttab", "\u0000\u001f", "<tag>&amp;'",
        "é", "日本語", "😀", "Z", "+02:00", "S0", "s0 ", "ǅ", "\u00A0", "\uFFFF", "🎉 party",
    ];

    private static readonly string[] s_scalars =
    [
        "0", "-1", "1.5", "1e300", "-0", "12345678901234567890", "true", "false", "null", "\"\"", "\"a\"", "\"\\u00e9\"", "\"\\ud83d\\ude00\"",
    ];

    public static Arbitrary<EnvelopeCase> Envelopes() => Arb.From(EnvelopeGen.Select(e => new EnvelopeCase(e)));

    public static Arbitrary<TimeCase> Times() => Arb.From(
        from time in TimeGen
        from digits in Gen.Choose(0, 9)
        select new TimeCase(time, digits));

    /// <summary>Strings: mostly awkward ones, sometimes random text over letters and non-ASCII (no lone surrogates).</summary>
    internal static Gen<string> TextGen => Gen.Frequency(
        (3, Gen.Elements(s_awkward)),
        (2, Gen.Choose(0, 8).SelectMany(n => Gen.ArrayOf(CharGen, n)).Select(cs => new string(cs))));

    internal static Gen<char> CharGen => Gen.Frequency(
        (6, Gen.Choose('a', 'z').Select(i => (char)i)),
        (1, Gen.Choose('A', 'Z').Select(i => (char)i)),
        (1, Gen.Choose(0, 0x7F).Select(i => (char)i)),
        (1, Gen.Choose(0x80, 0xD7FF).Select(i => (char)i)),
        (1, Gen.Choose(0xE000, 0xFFFF).Select(i => (char)i)));

    internal static Gen<int> IntGen => Gen.Frequency(
        (4, Gen.Choose(0, 30)),
        (1, Gen.Choose(int.MinValue, int.MaxValue)),
        (1, Gen.Elements(int.MinValue, int.MaxValue, -1)));

    internal static Gen<long> LongGen => Gen.Frequency(
        (4, Gen.Choose(0, 100_000).Select(i => (long)i)),
        (1, from hi in Gen.Choose(int.MinValue, int.MaxValue) from lo in Gen.Choose(0, int.MaxValue) select ((long)hi << 32) | (uint)lo),
        (1, Gen.Elements(long.MinValue, long.MaxValue, -1L)));

    /// <summary>An instant anywhere in 0001-9999 at whole seconds, ms, µs or ticks, with an offset when one fits.</summary>
    internal static Gen<DateTimeOffset> TimeGen =>
        from day in Gen.Frequency((1, Gen.Choose(0, 3_652_058)), (3, Gen.Choose(739_000, 740_000)), (1, Gen.Elements(0, 3_652_058)))
        from second in Gen.Choose(0, 86_399)
        from fraction in Gen.Frequency(
            (2, Gen.Constant(0L)),
            (2, Gen.Choose(0, 999).Select(ms => ms * TimeSpan.TicksPerMillisecond)),
            (2, Gen.Choose(0, 999_999).Select(us => us * TimeSpan.TicksPerMicrosecond)),
            (2, Gen.Choose(0, 9_999_999).Select(t => (long)t)))
        from offsetMinutes in Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(-14 * 60, 14 * 60)))
        let utc = (day * TimeSpan.TicksPerDay) + (second * TimeSpan.TicksPerSecond) + fraction
        let offset = TimeSpan.FromMinutes(offsetMinutes)
        let fits = utc + offset.Ticks >= 0 && utc + offset.Ticks <= DateTime.MaxValue.Ticks
        select fits ? new DateTimeOffset(utc + offset.Ticks, offset) : new DateTimeOffset(utc, TimeSpan.Zero);

    internal static Gen<DateTimeOffset?> OptionalTimeGen => Optional(TimeGen);

    /// <summary>Any JSON value, nested up to <paramref name="depth"/> levels, as an element.</summary>
    internal static Gen<JsonElement> ValueGen(int depth) => JsonTextGen(depth).Select(t => JsonElement.Parse(t));

    /// <summary>A JSON object (as an element) of 0-3 entries.</summary>
    internal static Gen<JsonElement> ObjectGen(int depth) => ObjectTextGen(depth).Select(t => JsonElement.Parse(t));

    internal static Gen<ImmutableSortedDictionary<string, TValue>> MapGen<TValue>(Gen<TValue> value, int max) =>
        from count in Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Choose(1, max)))
        from keys in Gen.ArrayOf(TextGen, count)
        from values in Gen.ArrayOf(value, count)
        select keys.Zip(values).Aggregate(
            ImmutableSortedDictionary.Create<string, TValue>(StringComparer.Ordinal),
            (m, kv) => m.SetItem(kv.First, kv.Second));

    internal static Gen<ImmutableList<T>> ListGen<T>(Gen<T> item, int max) =>
        Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Choose(1, max))).SelectMany(n => Gen.ArrayOf(item, n)).Select(ImmutableList.CreateRange);

    internal static Gen<ImmutableSortedSet<string>> SetGen =>
        ListGen(TextGen, 4).Select(items => ImmutableSortedSet.CreateRange(StringComparer.Ordinal, items));

    internal static Gen<T?> Optional<T>(Gen<T> gen)
        where T : struct =>
        Gen.Frequency((1, Gen.Constant<T?>(null)), (2, gen.Select(v => (T?)v)));

    internal static Gen<string?> OptionalText => Gen.Frequency((1, Gen.Constant<string?>(null)), (2, TextGen.Select(s => (string?)s)));

    internal static Gen<Envelope> EnvelopeGen =>
        from identity in Gen.ArrayOf(TextGen, 4)
        from rawInput in TextGen
        from receivedAt in TimeGen
        from outputs in MapGen(ObjectGen(2), 3)
        from pipeline in PipelineGen
        from bounds in BoundsGen
        from interrupts in InterruptsGen
        from execution in ExecutionGen
        from audit in AuditGen
        select new Envelope
        {
            Identity = new EnvelopeIdentity(identity[0], identity[1], identity[2], identity[3]),
            RawInput = rawInput,
            ReceivedAt = receivedAt,
            Outputs = outputs,
            Pipeline = pipeline,
            Bounds = bounds,
            Interrupts = interrupts,
            Execution = execution,
            Audit = audit,
        };

    internal static Gen<EnvelopePipeline> PipelineGen =>
        from current in TextGen
        from order in ListGen(TextGen, 5)
        from counters in Gen.ArrayOf(IntGen, 2)
        from active in SetGen
        from completed in SetGen
        from failed in MapGen(TextGen, 3)
        from parallel in Gen.Elements(true, false)
        select new EnvelopePipeline
        {
            CurrentStage = current,
            StageOrder = [.. order],
            Iteration = counters[0],
            MaxIterations = counters[1],
            ActiveStages = active,
            CompletedStageSet = completed,
            FailedStages = failed,
            ParallelMode = parallel,
        };

    internal static Gen<EnvelopeBounds> BoundsGen =>
        from counters in Gen.ArrayOf(IntGen, 5)
        from tokens in Gen.ArrayOf(LongGen, 2)
        from reason in Optional(Gen.Elements(Enum.GetValues<TerminalReason>()))
        from terminated in Gen.Elements(true, false)
        from explanation in OptionalText
        select new EnvelopeBounds
        {
            LlmCallCount = counters[0],
            MaxLlmCalls = counters[1],
            ToolCallCount = counters[2],
            AgentHopCount = counters[3],
            MaxAgentHops = counters[4],
            TokensIn = tokens[0],
            TokensOut = tokens[1],
            TerminalReason = reason,
            Terminated = terminated,
            TerminationReason = explanation,
        };

    internal static Gen<EnvelopeInterrupts> InterruptsGen =>
        from pending in Gen.Elements(true, false)
        from present in Gen.Frequency((1, Gen.Constant(false)), (2, Gen.Constant(true)))
        from interrupt in FlowInterruptGen
        select new EnvelopeInterrupts { InterruptPending = pending, Interrupt = present ? interrupt : null };

    internal static Gen<FlowInterrupt> FlowInterruptGen =>
        from kind in Gen.Elements(Enum.GetValues<InterruptKind>())
        from id in TextGen
        from question in OptionalText
        from message in OptionalText
        from data in Optional(ObjectGen(2))
        from hasResponse in Gen.Elements(true, false)
        from response in ResponseGen
        from createdAt in TimeGen
        from expiresAt in OptionalTimeGen
        select new FlowInterrupt
        {
            Kind = kind,
            Id = id,
            Question = question,
            Message = message,
            Data = data,
            Response = hasResponse ? response : null,
            CreatedAt = createdAt,
            ExpiresAt = expiresAt,
        };

    internal static Gen<InterruptResponse> ResponseGen =>
        from text in OptionalText
        from approved in Optional(Gen.Elements(true, false))
        from decision in OptionalText
        from data in Optional(ObjectGen(2))
        from receivedAt in OptionalTimeGen
        select new InterruptResponse { Text = text, Approved = approved, Decision = decision, Data = data, ReceivedAt = receivedAt };

    internal static Gen<EnvelopeExecution> ExecutionGen =>
        from completed in ListGen(ObjectGen(2), 3)
        from numbers in Gen.ArrayOf(IntGen, 2)
        from all in ListGen(TextGen, 4)
        from remaining in ListGen(TextGen, 4)
        from status in MapGen(TextGen, 3)
        from plans in ListGen(ObjectGen(2), 3)
        from feedback in ListGen(TextGen, 3)
        select new EnvelopeExecution
        {
            CompletedStages = completed,
            CurrentStageNumber = numbers[0],
            MaxStages = numbers[1],
            AllGoals = all,
            RemainingGoals = remaining,
            GoalCompletionStatus = status,
            PriorPlans = plans,
            LoopFeedback = feedback,
        };

    internal static Gen<EnvelopeAudit> AuditGen =>
        from history in ListGen(RecordGen, 3)
        from errors in ListGen(ObjectGen(2), 3)
        from createdAt in TimeGen
        from completedAt in OptionalTimeGen
        from metadata in MapGen(ValueGen(2), 4)
        select new EnvelopeAudit { ProcessingHistory = history, Errors = errors, CreatedAt = createdAt, CompletedAt = completedAt, Metadata = metadata };

    internal static Gen<ProcessingRecord> RecordGen =>
        from agent in TextGen
        from numbers in Gen.ArrayOf(IntGen, 3)
        from startedAt in TimeGen
        from completedAt in OptionalTimeGen
        from status in Gen.Elements(Enum.GetValues<ProcessingStatus>())
        from error in OptionalText
        select new ProcessingRecord
        {
            Agent = agent,
            StageOrder = numbers[0],
            StartedAt = startedAt,
            CompletedAt = completedAt,
            DurationMs = numbers[1],
            Status = status,
            Error = error,
            LlmCalls = numbers[2],
        };

    private static Gen<string> JsonTextGen(int depth) => depth <= 0
        ? ScalarTextGen
        : Gen.Frequency(
            (4, ScalarTextGen),
            (1, ObjectTextGen(depth - 1)),
            (1, Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(JsonTextGen(depth - 1), n)).Select(items => "[" + string.Join(",", items) + "]")));

    private static Gen<string> ScalarTextGen => Gen.Frequency(
        (3, Gen.Elements(s_scalars)),
        (1, TextGen.Select(Quote)));

    private static Gen<string> ObjectTextGen(int depth) =>
        from count in Gen.Choose(0, 3)
        from keys in Gen.ArrayOf(TextGen, count)
        from values in Gen.ArrayOf(JsonTextGen(depth), count)
        select "{" + string.Join(",", keys.Zip(values, (k, v) => Quote(k) + ":" + v)) + "}";

    private static string Quote(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in text)
        {
            _ = c switch
            {
                '"' => sb.Append("\\\""),
                '\\' => sb.Append("\\\\"),
                < ' ' => sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)),
                _ => sb.Append(c),
            };
        }

        return sb.Append('"').ToString();
    }
}
