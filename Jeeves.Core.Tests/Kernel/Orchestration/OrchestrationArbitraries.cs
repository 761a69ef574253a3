using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace Jeeves.Tests.Kernel.Orchestration;

/// <summary>A JSON value of the small routing vocabulary, kept as text so that it prints and compares plainly.</summary>
/// <param name="Json">The JSON text, such as <c>1.0</c>, <c>"a"</c> or <c>null</c>.</param>
public sealed record Val(string Json)
{
    public JsonNode? ToNode() => JsonNode.Parse(Json);

    public override string ToString() => Json;
}

/// <summary>
/// What the agent does when it is run: its output over the vocabulary, success or failure, its metrics, and
/// optionally an interrupt it raises.
/// </summary>
public sealed record AgentStep(
    IReadOnlyList<KeyValuePair<string, Val>> Output,
    bool Success,
    string Error,
    int LlmCalls,
    int ToolCalls,
    long? TokensIn,
    long? TokensOut,
    int DurationMs,
    InterruptKind? Interrupt = null)
{
    public static readonly AgentStep Quiet = new([], true, string.Empty, 0, 0, null, null, 0);

    public AgentExecutionMetrics Metrics => new()
    {
        LlmCalls = LlmCalls,
        ToolCalls = ToolCalls,
        TokensIn = TokensIn,
        TokensOut = TokensOut,
        Duration = TimeSpan.FromMilliseconds(DurationMs),
    };

    /// <summary>The output as the agent reports it (later duplicates of a key win).</summary>
    public JsonObject OutputObject()
    {
        var o = new JsonObject();
        foreach ((string key, Val value) in Output)
        {
            o[key] = value.ToNode();
        }

        return o;
    }

    public AgentResult ToResult(string agent, string owner) => new()
    {
        AgentName = agent,
        Success = Success,
        Error = Error,
        Output = OutputObject(),
        Metrics = Metrics,
        Interrupt = Interrupt is { } kind ? new CreateInterruptRequest { Kind = kind, UserId = owner, Question = "continue?" } : null,
    };

    public override string ToString()
    {
        var sb = new StringBuilder(Success ? "ok" : $"fail('{Error}')");
        sb.Append(" {").Append(string.Join(",", Output.Select(kv => $"{kv.Key}:{kv.Value}"))).Append('}');
        sb.Append(CultureInfo.InvariantCulture, $" llm{LlmCalls} tool{ToolCalls}");
        if (TokensIn is not null || TokensOut is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $" tok{TokensIn?.ToString(CultureInfo.InvariantCulture) ?? "-"}/{TokensOut?.ToString(CultureInfo.InvariantCulture) ?? "-"}");
        }

        if (Interrupt is { } kind)
        {
            sb.Append(" interrupt:").Append(kind);
        }

        return sb.ToString();
    }
}

/// <summary>A pipeline, the stage named by the starting envelope, and what the agents do on each run, in order.</summary>
public sealed record RunScenario(PipelineConfig Config, string StartStage, IReadOnlyList<AgentStep> Steps)
{
    /// <summary>The step of the <paramref name="run"/>-th agent run (0-based); the list repeats.</summary>
    public AgentStep StepAt(int run) => Steps.Count == 0 ? AgentStep.Quiet : Steps[run % Steps.Count];

    public override string ToString() =>
        $"{OrchestrationArbitraries.Describe(Config)} | start '{StartStage}' | steps [{string.Join("; ", Steps)}]";
}

/// <summary>
/// A linear chain <c>s0 → s1 → … </c> of unconditional rules (each followed by a dead rule back to <c>s0</c>), with
/// budgets that allow it: <see cref="MaxAgentHops"/> ≥ the stage count and more LLM calls than the steps make.
/// </summary>
public sealed record LinearCase(int StageCount, int MaxIterations, int MaxAgentHops, int MaxLlmCalls, IReadOnlyList<int> EdgeCaps, IReadOnlyList<AgentStep> Steps)
{
    public PipelineConfig Config => new()
    {
        Name = "linear",
        Stages = Enumerable.Range(0, StageCount)
            .Select(i => new PipelineStage(
                Name(i),
                "agent" + i.ToString(CultureInfo.InvariantCulture),
                i + 1 < StageCount ? [RoutingRule.Always(Name(i + 1)), RoutingRule.Always(Name(0))] : []))
            .ToArray(),
        MaxIterations = MaxIterations,
        MaxAgentHops = MaxAgentHops,
        MaxLlmCalls = MaxLlmCalls,
        EdgeLimits = EdgeCaps.Select((cap, i) => (cap, i)).Where(x => x.cap > 0 && x.i + 1 < StageCount).Select(x => new EdgeLimit(Name(x.i), Name(x.i + 1), x.cap)).ToArray(),
    };

    public static string Name(int i) => "s" + i.ToString(CultureInfo.InvariantCulture);

    public override string ToString() => $"{OrchestrationArbitraries.Describe(Config)} | steps [{string.Join("; ", Steps)}]";
}

/// <summary>A run with interrupts: the <c>n</c>-th interrupt is cancelled when <see cref="Cancels"/>[n] holds, else resolved by its owner.</summary>
public sealed record InterruptRun(RunScenario Run, IReadOnlyList<bool> Cancels)
{
    public bool CancelAt(int n) => Cancels.Count > 0 && Cancels[n % Cancels.Count];

    public override string ToString() => $"{Run} | cancels [{string.Join(",", Cancels.Select(c => c ? "cancel" : "resolve"))}]";
}

/// <summary>A refused agent result.</summary>
public enum BadReport
{
    WrongAgent,
    NegativeLlmCalls,
    NegativeToolCalls,
    NegativeTokensIn,
    NegativeTokensOut,
    NegativeDuration,
    AfterTermination,
    DuringInterrupt,
}

/// <summary>A run interrupted after <see cref="At"/> reports by a refused result.</summary>
public sealed record BadReportCase(RunScenario Run, int At, BadReport Kind)
{
    public override string ToString() => $"{Kind} after {At} reports of {Run}";
}

/// <summary>A run interrupted after <see cref="At"/> reports by a re-initialisation with another pipeline.</summary>
public sealed record ReinitCase(RunScenario Run, int At, PipelineConfig Next)
{
    public override string ToString() => $"reinit after {At} reports with {OrchestrationArbitraries.Describe(Next)} of {Run}";
}

/// <summary>A run, and extra rules to put after each stage's first unconditional rule.</summary>
public sealed record RoutingVariant(RunScenario Run, IReadOnlyList<RoutingRule> Extra)
{
    public override string ToString() => $"{Run} | extra [{string.Join(", ", Extra.Select(OrchestrationArbitraries.Describe))}]";
}

/// <summary>A two-stage pipeline whose only rule compares <see cref="RuleValue"/> with the output's value, if present.</summary>
public sealed record EqualityCase(Val RuleValue, Val? OutputValue)
{
    public override string ToString() => $"rule k=={RuleValue}, output {(OutputValue is null ? "{}" : $"{{k:{OutputValue}}}")}";
}

/// <summary>A starting envelope with counters already spent, for a pipeline.</summary>
public sealed record InitCase(PipelineConfig Config, string StartStage, int Iteration, int AgentHops, int LlmCalls)
{
    public override string ToString() =>
        $"{OrchestrationArbitraries.Describe(Config)} | start '{StartStage}' it{Iteration} hops{AgentHops} llm{LlmCalls}";
}

/// <summary>A pipeline that may be invalid.</summary>
public sealed record ConfigCase(PipelineConfig Config)
{
    public override string ToString() => OrchestrationArbitraries.Describe(Config);
}

/// <summary>An envelope's outputs and metadata, and an update to merge into it (each entry a key and its JSON text).</summary>
public sealed record MergeCase(
    IReadOnlyList<KeyValuePair<string, string>> Outputs,
    IReadOnlyList<KeyValuePair<string, string>> Metadata,
    IReadOnlyList<KeyValuePair<string, string>> Update)
{
    public override string ToString() =>
        $"outputs {{{string.Join(",", Outputs.Select(kv => $"{kv.Key}:{kv.Value}"))}}} metadata {{{string.Join(",", Metadata.Select(kv => $"{kv.Key}:{kv.Value}"))}}} " +
        $"update {{{string.Join(",", Update.Select(kv => $"{kv.Key}:{kv.Value}"))}}}";
}

/// <summary>
/// The FsCheck generators of the orchestration property tests: random valid pipelines of 1-6 stages with rules over a
/// small key/value vocabulary (ints, floats equal to them, bools, strings, null), edge limits and small budgets
/// (0 and -1 included), agent outputs over the same vocabulary, and metrics.
/// </summary>
public static class OrchestrationArbitraries
{
    /// <summary>The output keys rules look at. <c>success</c> is also where a failure is written.</summary>
    internal static readonly string[] Keys = ["intent", "score", "done", "success", "k"];

    /// <summary>The values: numbers that are equal by value in different spellings, and values that only look alike.</summary>
    internal static readonly string[] Values = ["0", "1", "2", "1.0", "1e0", "2.5", "2.50", "true", "false", "\"a\"", "\"b\"", "\"1\"", "null"];

    /// <summary>Values with structure too, for the equality property.</summary>
    internal static readonly string[] RichValues =
    [
        .. Values, "[1,2]", "[1.0,2]", "[2,1]", "[]", "{}", "{\"x\":1,\"y\":\"a\"}", "{\"y\":\"a\",\"x\":1.0}", "{\"x\":1}", "{\"x\":null}", "\"\"",
    ];

    public static Arbitrary<RunScenario> Runs() => Arb.From(RunGen(interrupts: false), Shrink);

    public static Arbitrary<LinearCase> LinearCases() => Arb.From(
        from n in Gen.Choose(1, 6)
        from steps in Gen.ArrayOf(StepGen(interrupts: false), n)
        from maxIterations in Gen.Frequency((4, Gen.Choose(1, 3)), (1, Gen.Constant(int.MaxValue)))
        from extraHops in Gen.Frequency((2, Gen.Constant(0)), (3, Gen.Choose(1, 4)))
        from extraLlm in Gen.Choose(1, 3)
        from caps in Gen.ArrayOf(Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(1, 2))), n)
        select new LinearCase(n, maxIterations, n + extraHops, steps.Sum(s => s.LlmCalls) + extraLlm, caps, steps));

    public static Arbitrary<InterruptRun> InterruptRuns() => Arb.From(
        from run in RunGen(interrupts: true)
        from cancels in Gen.ArrayOf(Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true))), 4)
        select new InterruptRun(run, cancels),
        r => Shrink(r.Run).Select(s => r with { Run = s }));

    public static Arbitrary<BadReportCase> BadReports() => Arb.From(
        from run in RunGen(interrupts: false)
        from at in Gen.Choose(0, 6)
        from kind in Gen.Elements(Enum.GetValues<BadReport>())
        select new BadReportCase(run, at, kind),
        c => Shrink(c.Run).Select(s => c with { Run = s }));

    public static Arbitrary<ReinitCase> Reinits() => Arb.From(
        from run in RunGen(interrupts: false)
        from at in Gen.Choose(0, 6)
        from next in PipelineGen(interrupts: false)
        select new ReinitCase(run, at, next),
        c => Shrink(c.Run).Select(s => c with { Run = s }));

    public static Arbitrary<RoutingVariant> RoutingVariants() => Arb.From(
        from run in RunGen(interrupts: false)
        from extra in Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(RuleGen(NamesOf(run.Config)), n))
        select new RoutingVariant(run, extra),
        v => Shrink(v.Run).Select(s => v with { Run = s }));

    public static Arbitrary<EqualityCase> EqualityCases() => Arb.From(
        from rule in Gen.Elements(RichValues)
        from present in Gen.Frequency((6, Gen.Constant(true)), (1, Gen.Constant(false)))
        from same in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
        from output in Gen.Elements(RichValues)
        select new EqualityCase(new Val(rule), present ? new Val(same ? rule : output) : null));

    public static Arbitrary<InitCase> InitCases() => Arb.From(
        from config in PipelineGen(interrupts: false)
        from start in StartGen(config)
        from counters in Gen.ArrayOf(Gen.Frequency((3, Gen.Constant(0)), (2, Gen.Choose(1, 4))), 3)
        select new InitCase(config, start, counters[0], counters[1], counters[2]));

    public static Arbitrary<ConfigCase> ConfigCases() => Arb.From(
        from config in PipelineGen(interrupts: true)
        from mutation in Gen.Frequency(
            (4, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2)), (2, Gen.Constant(3)), (1, Gen.Constant(4)),
            (1, Gen.Constant(5)), (1, Gen.Constant(6)), (1, Gen.Constant(7)))
        from pick in Gen.Choose(0, 1_000)
        from bad in Gen.Elements("nowhere", string.Empty, "S0", "s0 ", "s9")
        select new ConfigCase(Mutate(config, mutation, pick, bad)));

    public static Arbitrary<MergeCase> MergeCases() => Arb.From(
        from outputs in SubsetGen(["a0", "a1", "a2"], ObjectGen(["k", "intent", "x"]))
        from metadata in SubsetGen(["m1", "note", "x"], Gen.Elements(Values))
        from rawInput in Gen.Elements("\"new input\"", "\"\"", "42", "null", "{\"text\":\"hi\"}")
        from meta in Gen.Frequency((3, ObjectGen(["m1", "m2", "m3"])), (1, Gen.Elements("3", "\"m\"", "null", "[1]")))
        from updateOutputs in Gen.Frequency((3, OutputsUpdateGen(valid: true)), (1, OutputsUpdateGen(valid: false)), (1, Gen.Elements("7", "[]", "null")))
        from unknown in SubsetGen(["note", "current_stage", "bounds", "identity", "iteration", "terminated"], Gen.Elements(RichValues))
        from include in Gen.ArrayOf(Gen.Frequency((2, Gen.Constant(true)), (1, Gen.Constant(false))), 3)
        let update = UpdateEntries(include, rawInput, meta, updateOutputs, unknown)
        from ranks in Gen.ArrayOf(Gen.Choose(0, 1_000), update.Length)
        let order = update.Select((entry, i) => (entry, rank: ranks[i])).OrderBy(x => x.rank).Select(x => x.entry).ToArray()
        select new MergeCase(outputs, metadata, order));

    /// <summary>Random valid runs: a pipeline, a start stage, and 1-12 agent steps (with interrupts on some when asked).</summary>
    internal static Gen<RunScenario> RunGen(bool interrupts) =>
        from config in PipelineGen(interrupts)
        from start in StartGen(config)
        from count in Gen.Choose(1, 12)
        from steps in Gen.ArrayOf(StepGen(interrupts), count)
        select new RunScenario(config, start, steps);

    /// <summary>The stage the starting envelope names: empty, the default <c>start</c>, an unknown name, or a declared stage.</summary>
    internal static Gen<string> StartGen(PipelineConfig config) => Gen.Frequency(
        (2, Gen.Constant(string.Empty)),
        (1, Gen.Constant("start")),
        (1, Gen.Constant("nowhere")),
        (4, Gen.Elements(NamesOf(config))));

    /// <summary>
    /// Valid pipelines of 1-6 stages <c>s0..</c>; agents <c>a0..a3</c> may be shared; a stage rarely repeats an earlier
    /// name. Each stage has 0-3 rules (mostly conditional); edge limits mostly sit on edges the rules use.
    /// </summary>
    internal static Gen<PipelineConfig> PipelineGen(bool interrupts) =>
        from n in Gen.Choose(1, 6)
        from duplicate in Gen.Frequency((9, Gen.Constant(-1)), (1, Gen.Choose(1, 5)))
        from agentCount in Gen.Choose(1, 4)
        from agents in Gen.ArrayOf(Gen.Choose(0, agentCount - 1), n)
        let names = Enumerable.Range(0, n).Select(i => "s" + (i == duplicate ? i - 1 : i).ToString(CultureInfo.InvariantCulture)).ToArray()
        let distinct = names.Distinct(StringComparer.Ordinal).ToArray()
        from rules in Gen.ArrayOf(RulesGen(distinct), n)
        let stages = names.Select((name, i) => new PipelineStage(name, "a" + agents[i].ToString(CultureInfo.InvariantCulture), rules[i])).ToArray()
        from edgeCount in Gen.Frequency((2, Gen.Constant(0)), (3, Gen.Choose(1, 3)))
        from edges in Gen.ArrayOf(EdgeGen(stages, distinct), edgeCount)
        from maxIterations in BudgetGen(5)
        from maxLlm in BudgetGen(16)
        from maxHops in BudgetGen(10)
        from resume in interrupts
            ? SubsetGen(Enum.GetValues<InterruptKind>(), Gen.Elements(distinct))
            : Gen.Constant<IReadOnlyList<KeyValuePair<InterruptKind, string>>>([])
        select new PipelineConfig
        {
            Name = "p",
            Stages = stages,
            MaxIterations = maxIterations,
            MaxLlmCalls = maxLlm,
            MaxAgentHops = maxHops,
            EdgeLimits = edges,
            ResumeStages = resume.ToDictionary(kv => kv.Key, kv => kv.Value),
        };

    /// <summary>A budget: rarely -1 or 0 (exhausted at once), mostly 1..<paramref name="max"/>.</summary>
    internal static Gen<int> BudgetGen(int max) =>
        Gen.Frequency((1, Gen.Constant(-1)), (1, Gen.Constant(0)), (50, Gen.Choose(1, max)));

    /// <summary>An output key, mostly <c>intent</c> or <c>success</c> so that conditions often find their key.</summary>
    internal static Gen<string> KeyGen => Gen.Frequency(
        (4, Gen.Constant("intent")), (2, Gen.Constant("success")), (1, Gen.Constant("score")), (1, Gen.Constant("done")), (1, Gen.Constant("k")));

    /// <summary>A value, often one of a few hot ones (including 1 and 1.0) so that conditions often match.</summary>
    internal static Gen<string> ValueGen => Gen.Frequency(
        (3, Gen.Elements("\"a\"", "1", "1.0", "true", "false")), (2, Gen.Elements(Values)));

    /// <summary>0-2 conditional rules, then usually an unconditional one (a "default next").</summary>
    internal static Gen<RoutingRule[]> RulesGen(string[] targets) =>
        from conditionals in Gen.Choose(0, 2).SelectMany(c => Gen.ArrayOf(ConditionalRuleGen(targets), c))
        from fallback in Gen.Frequency((2, Gen.Constant(true)), (1, Gen.Constant(false)))
        from target in Gen.Elements(targets)
        select fallback ? [.. conditionals, RoutingRule.Always(target)] : conditionals;

    internal static Gen<RoutingRule> RuleGen(string[] targets) =>
        Gen.Frequency((3, ConditionalRuleGen(targets)), (1, Gen.Elements(targets).Select(RoutingRule.Always)));

    internal static Gen<RoutingRule> ConditionalRuleGen(string[] targets) =>
        from key in KeyGen
        from value in ValueGen
        from target in Gen.Elements(targets)
        select RoutingRule.When(key, JsonNode.Parse(value), target);

    internal static Gen<EdgeLimit> EdgeGen(PipelineStage[] stages, string[] names)
    {
        (string From, string To)[] used = stages.SelectMany(s => s.Routing.Select(r => (s.Name, r.Target))).ToArray();
        Gen<(string From, string To)> random = from f in Gen.Elements(names) from t in Gen.Elements(names) select (f, t);
        Gen<(string From, string To)> edge = used.Length == 0 ? random : Gen.Frequency((3, Gen.Elements(used)), (1, random));
        return from e in edge
               from max in Gen.Frequency((1, Gen.Constant(-1)), (3, Gen.Constant(0)), (8, Gen.Choose(1, 3)))
               select new EdgeLimit(e.From, e.To, max);
    }

    internal static Gen<AgentStep> StepGen(bool interrupts) =>
        from keyCount in Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Choose(1, 3)))
        from keys in Gen.ArrayOf(KeyGen, keyCount)
        from values in Gen.ArrayOf(ValueGen, keyCount)
        from success in Gen.Frequency((5, Gen.Constant(true)), (1, Gen.Constant(false)))
        from error in Gen.Elements(string.Empty, "boom", "Agent not found: a9")
        from llm in Gen.Frequency((3, Gen.Constant(0)), (3, Gen.Choose(1, 3)))
        from tools in Gen.Choose(0, 2)
        from tokens in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant<long?>(null)), (2, Gen.Choose(0, 500).Select(t => (long?)t))), 2)
        from duration in Gen.Choose(0, 2_000)
        from interrupt in interrupts
            ? Gen.Frequency((3, Gen.Constant<InterruptKind?>(null)), (1, Gen.Elements(Enum.GetValues<InterruptKind>()).Select(k => (InterruptKind?)k)))
            : Gen.Constant<InterruptKind?>(null)
        select new AgentStep(
            keys.Zip(values, (k, v) => new KeyValuePair<string, Val>(k, new Val(v))).ToArray(),
            success,
            success ? string.Empty : error,
            llm,
            tools,
            tokens[0],
            tokens[1],
            duration,
            interrupt);

    /// <summary>Shrinks a run: fewer steps, quieter steps, fewer rules, fewer edge limits.</summary>
    internal static IEnumerable<RunScenario> Shrink(RunScenario s)
    {
        foreach (IReadOnlyList<AgentStep> fewer in Jeeves.Tests.Kernel.KernelArbitraries.ShrinkList(s.Steps).Where(l => l.Count > 0))
        {
            yield return s with { Steps = fewer };
        }

        for (int i = 0; i < s.Steps.Count; i++)
        {
            AgentStep step = s.Steps[i];
            if (step.Output.Count > 0 || step.LlmCalls != 0 || step.ToolCalls != 0 || step.TokensIn is not null || step.TokensOut is not null || step.DurationMs != 0)
            {
                AgentStep quiet = step with { Output = [], LlmCalls = 0, ToolCalls = 0, TokensIn = null, TokensOut = null, DurationMs = 0 };
                yield return s with { Steps = [.. s.Steps.Take(i), quiet, .. s.Steps.Skip(i + 1)] };
            }
        }

        PipelineConfig c = s.Config;
        for (int e = 0; e < c.EdgeLimits.Count; e++)
        {
            yield return s with { Config = c with { EdgeLimits = [.. c.EdgeLimits.Take(e), .. c.EdgeLimits.Skip(e + 1)] } };
        }

        for (int i = 0; i < c.Stages.Count; i++)
        {
            PipelineStage stage = c.Stages[i];
            for (int r = 0; r < stage.Routing.Count; r++)
            {
                PipelineStage fewer = stage with { Routing = [.. stage.Routing.Take(r), .. stage.Routing.Skip(r + 1)] };
                yield return s with { Config = c with { Stages = [.. c.Stages.Take(i), fewer, .. c.Stages.Skip(i + 1)] } };
            }
        }
    }

    /// <summary>The distinct stage names of a pipeline, in declaration order.</summary>
    internal static string[] NamesOf(PipelineConfig config) => config.Stages.Select(s => s.Name).Distinct(StringComparer.Ordinal).ToArray();

    public static string Describe(PipelineConfig c)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"'{c.Name}'[it={c.MaxIterations} llm={c.MaxLlmCalls} hops={c.MaxAgentHops}] ");
        sb.Append(string.Join(" ", c.Stages.Select(s => $"{s.Name}({s.Agent}): {(s.Routing.Count == 0 ? "-" : string.Join(", ", s.Routing.Select(Describe)))};")));
        if (c.EdgeLimits.Count > 0)
        {
            sb.Append(" edges ").Append(string.Join(", ", c.EdgeLimits.Select(e => $"{e.FromStage}->{e.ToStage}<={e.MaxCount}")));
        }

        if (c.ResumeStages.Count > 0)
        {
            sb.Append(" resume ").Append(string.Join(", ", c.ResumeStages.Select(kv => $"{kv.Key}->{kv.Value}")));
        }

        return sb.ToString();
    }

    public static string Describe(RoutingRule r) =>
        r.Condition is null ? $"*->{r.Target}" : $"{r.Condition}=={r.Value?.ToJsonString() ?? "null"}->{r.Target}";

    /// <summary>
    /// Breaks a valid pipeline in one way: 1 empty name, 2 no stages, 3 a rule target, 4 an edge's from_stage,
    /// 5 an edge's to_stage, 6 a resume stage, 7 harmless (duplicate stage name and dead rules, still valid).
    /// </summary>
    private static PipelineConfig Mutate(PipelineConfig c, int mutation, int pick, string bad)
    {
        switch (mutation)
        {
            case 1:
                return c with { Name = string.Empty };
            case 2:
                return c with { Stages = [] };
            case 3:
                {
                    int i = pick % c.Stages.Count;
                    PipelineStage s = c.Stages[i];
                    int at = pick % (s.Routing.Count + 1);
                    RoutingRule broken = pick % 2 == 0 ? RoutingRule.Always(bad) : RoutingRule.When("k", 1, bad);
                    PipelineStage mutated = s with { Routing = [.. s.Routing.Take(at), broken, .. s.Routing.Skip(at)] };
                    return c with { Stages = [.. c.Stages.Take(i), mutated, .. c.Stages.Skip(i + 1)] };
                }

            case 4:
            case 5:
                {
                    string known = c.Stages[pick % c.Stages.Count].Name;
                    EdgeLimit broken = mutation == 4 ? new EdgeLimit(bad, known, 1) : new EdgeLimit(known, bad, 1);
                    int at = pick % (c.EdgeLimits.Count + 1);
                    return c with { EdgeLimits = [.. c.EdgeLimits.Take(at), broken, .. c.EdgeLimits.Skip(at)] };
                }

            case 6:
                {
                    var resume = new Dictionary<InterruptKind, string>(c.ResumeStages) { [(InterruptKind)(pick % 7)] = bad };
                    return c with { ResumeStages = resume };
                }

            case 7:
                {
                    PipelineStage first = c.Stages[0];
                    PipelineStage copy = first with { Agent = "a9", Routing = [RoutingRule.Always(first.Name), RoutingRule.Always(first.Name)] };
                    return c with { Stages = [.. c.Stages, copy], EdgeLimits = [.. c.EdgeLimits, new EdgeLimit(first.Name, first.Name, -5)] };
                }

            default:
                return c;
        }
    }

    private static KeyValuePair<string, string>[] UpdateEntries(
        bool[] include, string rawInput, string metadata, string outputs, IReadOnlyList<KeyValuePair<string, string>> unknown)
    {
        var entries = new List<KeyValuePair<string, string>>();
        if (include[0])
        {
            entries.Add(new("raw_input", rawInput));
        }

        if (include[1])
        {
            entries.Add(new("metadata", metadata));
        }

        if (include[2])
        {
            entries.Add(new("outputs", outputs));
        }

        entries.AddRange(unknown);
        return [.. entries];
    }

    /// <summary>A random subset of <paramref name="keys"/>, in order, each with a generated value.</summary>
    private static Gen<IReadOnlyList<KeyValuePair<TKey, TValue>>> SubsetGen<TKey, TValue>(TKey[] keys, Gen<TValue> value) =>
        from chosen in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(true)), (1, Gen.Constant(false))), keys.Length)
        from values in Gen.ArrayOf(value, keys.Length)
        select (IReadOnlyList<KeyValuePair<TKey, TValue>>)keys.Select((k, i) => (k, i)).Where(x => chosen[x.i])
            .Select(x => new KeyValuePair<TKey, TValue>(x.k, values[x.i])).ToArray();

    /// <summary>A JSON object (as text) over some of <paramref name="keys"/> with vocabulary values.</summary>
    private static Gen<string> ObjectGen(string[] keys) =>
        SubsetGen(keys, Gen.Elements(RichValues)).Select(ToObjectText);

    /// <summary>An <c>outputs</c> update: agent → object; when not <paramref name="valid"/>, one agent's value is not an object.</summary>
    private static Gen<string> OutputsUpdateGen(bool valid) =>
        from agents in SubsetGen(["a0", "a1", "a3"], ObjectGen(["k", "intent", "y"]))
        from spoiler in Gen.Elements("1", "\"x\"", "null", "[{}]")
        from spoiled in Gen.Elements("a0", "a1", "a4")
        select valid
            ? ToObjectText(agents)
            : ToObjectText([.. agents.Where(a => !string.Equals(a.Key, spoiled, StringComparison.Ordinal)), new KeyValuePair<string, string>(spoiled, spoiler)]);

    private static string ToObjectText(IReadOnlyList<KeyValuePair<string, string>> entries)
    {
        var o = new JsonObject();
        foreach ((string key, string json) in entries)
        {
            o[key] = JsonNode.Parse(json);
        }

        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }
}
