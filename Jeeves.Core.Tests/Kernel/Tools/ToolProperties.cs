using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Jeeves.Kernel;
using Jeeves.Kernel.Tools;
using Microsoft.Extensions.Time.Testing;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;

namespace Jeeves.Tests.Kernel.Tools;

/// <summary>
/// Tool invariants of spec §19 (29-35), plus registration and health monotonicity, checked against small models
/// of the expected behaviour (<see cref="ToolModel"/>) rather than against the library's own helpers.
/// </summary>
public sealed partial class ToolProperties
{
    private const string Missing = "Missing required parameter: ";

    // ---- 29. ValidateParams ----

    /// <summary>29: no errors exactly when every required parameter is present, every key is declared and every value fits.</summary>
    [Property(Arbitrary = new[] { typeof(ToolArbitraries) }, MaxTest = 500)]
    public void ValidateParams_NoErrors_ExactlyWhenRequiredPresentKeysDeclaredAndValuesFit(ToolCall call)
    {
        // Arrange
        KernelCore core = KernelWith(call.Tool);
        IReadOnlyList<ToolParameter> declared = call.Tool.Parameters;
        bool requiredPresent = declared.Where(ToolModel.IsRequired).All(p => call.Arguments.Any(a => a.Key == p.Name));
        bool suppliedFit = call.Arguments.All(a => declared.FirstOrDefault(p => p.Name == a.Key) is { } p && ToolModel.Fits(p.Type, a.Value));

        // Act
        ToolValidationResult result = core.ValidateToolParams(call.Tool.Id, call.CreateParameters());

        // Assert
        Assert.That(result.IsValid, Is.EqualTo(requiredPresent && suppliedFit), () => "errors: " + string.Join(" | ", result.Errors));
        Assert.That(result.IsValid, Is.EqualTo(result.Errors.Count == 0));
    }

    /// <summary>29: missing required parameters in declaration order, then one error per bad supplied key in ordinal key order.</summary>
    [Property(Arbitrary = new[] { typeof(ToolArbitraries) }, MaxTest = 300)]
    public void ValidateParams_Errors_MissingInDeclarationOrderThenSuppliedKeysInOrdinalOrder(ToolCall call)
    {
        // Arrange
        KernelCore core = KernelWith(call.Tool);
        var expected = new List<(string Text, bool IsPrefix)>();
        foreach (ToolParameter p in call.Tool.Parameters)
        {
            if (ToolModel.IsRequired(p) && call.Arguments.All(a => a.Key != p.Name))
            {
                expected.Add((Missing + p.Name, false));
            }
        }

        foreach (KeyValuePair<string, JsonSample> a in call.Arguments.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            ToolParameter? p = call.Tool.Parameters.FirstOrDefault(p => p.Name == a.Key);
            if (p is null)
            {
                expected.Add(("Unknown parameter: " + a.Key, false));
            }
            else if (!ToolModel.Fits(p.Type, a.Value))
            {
                expected.Add(($"Parameter '{a.Key}': ", true));
            }
        }

        // Act
        IReadOnlyList<string> errors = core.ValidateToolParams(call.Tool.Id, call.CreateParameters()).Errors;

        // Assert
        string Show() => $"expected [{string.Join(" | ", expected.Select(e => e.IsPrefix ? e.Text + "…" : e.Text))}], got [{string.Join(" | ", errors)}]";
        Assert.That(errors, Has.Count.EqualTo(expected.Count), Show);
        for (int i = 0; i < errors.Count; i++)
        {
            bool matches = expected[i].IsPrefix ? errors[i].StartsWith(expected[i].Text, StringComparison.Ordinal) : errors[i] == expected[i].Text;
            Assert.That(matches, Is.True, Show);
        }
    }

    // ---- 30. FillDefaults ----

    /// <summary>30: a new object; present keys (null included) untouched; defaults added for the rest; idempotent; no "Missing required" for a defaulted parameter.</summary>
    [Property(Arbitrary = new[] { typeof(ToolArbitraries) }, MaxTest = 300)]
    public void FillDefaults_KeepsPresentKeys_AddsDefaults_IsIdempotent_LeavesNoDefaultedParamMissing(ToolCall call)
    {
        // Arrange
        KernelCore core = KernelWith(call.Tool);
        string id = call.Tool.Id;
        JsonObject input = call.CreateParameters();
        JsonNode snapshot = input.DeepClone();
        IEnumerable<ToolParameter> defaulted = call.Tool.Parameters.Where(p => p.Default is not null);

        // Act
        JsonNode? result = core.FillToolDefaults(id, input);

        // Assert
        Assert.That(result, Is.InstanceOf<JsonObject>().And.Not.SameAs(input));
        var filled = (JsonObject)result!;
        Assert.That(JsonNode.DeepEquals(input, snapshot), Is.True, "the argument was modified");
        foreach (KeyValuePair<string, JsonNode?> kv in snapshot.AsObject())
        {
            Assert.That(filled.ContainsKey(kv.Key) && JsonNode.DeepEquals(filled[kv.Key], kv.Value), Is.True, $"key '{kv.Key}' changed: {filled.ToJsonString()}");
        }

        var expectedKeys = new HashSet<string>(input.Select(kv => kv.Key), StringComparer.Ordinal);
        foreach (ToolParameter p in defaulted.Where(p => !input.ContainsKey(p.Name)))
        {
            _ = expectedKeys.Add(p.Name);
            Assert.That(JsonNode.DeepEquals(filled[p.Name], p.Default), Is.True, $"default of '{p.Name}': {filled.ToJsonString()}");
            Assert.That(filled[p.Name], Is.Not.SameAs(p.Default), $"default of '{p.Name}' is shared with the catalog");
        }

        Assert.That(filled.Select(kv => kv.Key), Is.EquivalentTo(expectedKeys));
        Assert.That(JsonNode.DeepEquals(core.FillToolDefaults(id, filled), filled), Is.True, "not idempotent");
        string[] missing = core.ValidateToolParams(id, filled).Errors.Where(e => e.StartsWith(Missing, StringComparison.Ordinal)).ToArray();
        string[] expectedMissing = call.Tool.Parameters
            .Where(p => ToolModel.IsRequired(p) && !input.ContainsKey(p.Name))
            .Select(p => Missing + p.Name)
            .ToArray();
        Assert.That(missing, Is.EqualTo(expectedMissing));
        Assert.That(defaulted.Select(p => Missing + p.Name).Intersect(missing), Is.Empty);
    }

    /// <summary>30: a value that is not an object comes back unchanged, as a copy; an object only gains keys.</summary>
    [Property(Arbitrary = new[] { typeof(ToolArbitraries) }, MaxTest = 200)]
    public void FillDefaults_NonObject_ReturnedUnchangedAsCopy(ToolDefinition tool, JsonSample value)
    {
        // Arrange
        KernelCore core = KernelWith(tool.Entry);
        JsonNode? input = value.Create();
        JsonNode? snapshot = input?.DeepClone();

        // Act
        JsonNode? result = core.FillToolDefaults(tool.Entry.Id, input);

        // Assert
        Assert.That(JsonNode.DeepEquals(input, snapshot), Is.True, "the argument was modified");
        if (input is JsonObject obj)
        {
            Assert.That(result, Is.InstanceOf<JsonObject>().And.Not.SameAs(input));
            Assert.That(obj.All(kv => JsonNode.DeepEquals(result![kv.Key], kv.Value)), Is.True, result!.ToJsonString());
        }
        else
        {
            Assert.That(JsonNode.DeepEquals(result, input), Is.True, result?.ToJsonString());
            Assert.That(result is null || !ReferenceEquals(result, input), Is.True, "the argument itself was returned");
        }
    }

    // ---- 31. GeneratePrompt ----

    /// <summary>31: "" for an empty catalog, else a header and one line per tool sorted by id, each <c>- id(params): description</c>.</summary>
    [Property(Arbitrary = new[] { typeof(ToolArbitraries) }, MaxTest = 200)]
    public void GeneratePrompt_AllTools_EmptyOrHeaderPlusOneLinePerToolSortedById(CatalogSample catalog)
    {
        // Arrange
        KernelCore core = KernelWith([.. catalog.Entries]);
        ToolEntry[] sorted = catalog.Entries.OrderBy(e => e.Id, StringComparer.Ordinal).ToArray();

        // Act
        string prompt = core.GenerateToolPrompt();

        // Assert
        if (sorted.Length == 0)
        {
            Assert.That(prompt, Is.Empty);
            return;
        }

        string[] lines = prompt.Split('\n');
        Assert.That(lines, Has.Length.EqualTo(1 + sorted.Length), prompt);
        Assert.That(lines[0], Is.EqualTo("Available tools:"));
        for (int i = 0; i < sorted.Length; i++)
        {
            ToolEntry e = sorted[i];
            string parameters = string.Join(", ", e.Parameters.Select(p => $"{p.Name}{(ToolModel.IsRequired(p) ? "" : "?")}: {ToolModel.Display(p.Type)}"));
            Assert.That(lines[i + 1], Does.Match(ToolLine()));
            Assert.That(lines[i + 1], Is.EqualTo($"- {e.Id}({parameters}): {e.Description}"));
        }
    }

    // ---- 32. Access policy ----

    /// <summary>32: access exactly for grants not revoked or cleared since; the list is sorted and equal to that set; default deny.</summary>
    [Property(Arbitrary = new[] { typeof(ToolArbitraries) }, MaxTest = 300)]
    public void Access_AfterAnyScript_AllowedExactlyForLiveGrants_ListSortedAndEqual(AccessScript script)
    {
        // Arrange
        var policy = new ToolAccessPolicy();
        var model = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);

        foreach (AccessOp op in script.Ops)
        {
            // Act
            switch (op.Kind)
            {
                case AccessOpKind.Grant:
                    policy.Grant(op.Agent, op.Tools);
                    if (!model.TryGetValue(op.Agent, out HashSet<string>? set))
                    {
                        model[op.Agent] = set = new HashSet<string>(StringComparer.Ordinal);
                    }

                    set.UnionWith(op.Tools);
                    break;
                case AccessOpKind.Revoke:
                    policy.Revoke(op.Agent, op.Tools[0]);
                    _ = model.GetValueOrDefault(op.Agent)?.Remove(op.Tools[0]);
                    break;
                default:
                    _ = policy.Clear(op.Agent);
                    _ = model.Remove(op.Agent);
                    break;
            }

            // Assert
            foreach (string agent in ToolArbitraries.Agents.Append("nobody"))
            {
                HashSet<string> live = model.GetValueOrDefault(agent) ?? [];
                foreach (string tool in ToolArbitraries.GrantableTools.Append("unknown_tool"))
                {
                    Assert.That(policy.Check(agent, tool), Is.EqualTo(live.Contains(tool)), $"{agent} -> {tool} after {op}");
                }

                Assert.That(policy.ToolsFor(agent), Is.EqualTo(live.Order(StringComparer.Ordinal)), $"{agent} after {op}");
            }
        }
    }

    // ---- 33-35. Health ----

    /// <summary>33: no buffer holds more than WindowSize records; the success rate is in [0, 1]; unknown exactly below MinCalls.</summary>
    [Property(Arbitrary = new[] { typeof(ToolArbitraries) }, MaxTest = 200)]
    public void Health_AnyHistory_BufferBoundedRateInUnitIntervalUnknownExactlyBelowMinCalls(HealthScenario scenario)
    {
        HealthSettings s = scenario.Settings;
        KernelCore core = TestKernel.Create(out FakeTimeProvider time, o => s.ApplyTo(o.ToolHealth));
        var model = new HealthModel(s);

        void Check(string when)
        {
            foreach (string tool in ToolArbitraries.RegistrableTools)
            {
                ToolHealthReport r = core.CheckToolHealth(tool);
                IReadOnlyList<HealthModel.Run> runs = model.Runs(tool);
                string where = $"{tool} {when}";
                Assert.That(r.TotalCalls, Is.EqualTo(runs.Count).And.LessThanOrEqualTo(s.WindowSize), where);
                Assert.That(r.SuccessRate, Is.InRange(0.0, 1.0), where);
                Assert.That(r.SuccessRate, Is.EqualTo(runs.Count == 0 ? 0.0 : (double)runs.Count(x => x.Success) / runs.Count).Within(1e-12), where);
                Assert.That(r.Status == HealthStatus.Unknown, Is.EqualTo(runs.Count < s.MinCalls), $"{where}: {r.Status}");
            }
        }

        Replay(scenario, time, model, step => core.RecordToolExecution(step.Tool, step.Success, TimeSpan.FromMilliseconds(step.LatencyMs), step.ErrorType), Check);
    }

    /// <summary>34 (Q17 fixed): every report's CircuitBroken equals ShouldCircuitBreak: failures within the window reach the threshold, whatever the call count.</summary>
    [Property(Arbitrary = new[] { typeof(ToolArbitraries) }, MaxTest = 300)]
    public void Health_EveryReport_CircuitBrokenEqualsShouldCircuitBreakAndRecentFailuresReachThreshold(HealthScenario scenario)
    {
        HealthSettings s = scenario.Settings;
        KernelCore core = TestKernel.Create(out FakeTimeProvider time, o => s.ApplyTo(o.ToolHealth));
        var model = new HealthModel(s);

        void Check(string when)
        {
            foreach (string tool in ToolArbitraries.RegistrableTools)
            {
                ToolHealthReport r = core.CheckToolHealth(tool);
                int recent = model.RecentFailures(tool);
                string where = $"{tool} {when}, failure ages [{string.Join(", ", model.FailureAges(tool).Select(a => a.Ticks))}]t";
                Assert.That(r.CircuitBroken, Is.EqualTo(core.ShouldCircuitBreak(tool)), where);
                Assert.That(r.RecentErrors, Is.EqualTo(recent), where);
                Assert.That(r.CircuitBroken, Is.EqualTo(recent >= s.Threshold), where);
            }
        }

        Replay(scenario, time, model, step => core.RecordToolExecution(step.Tool, step.Success, TimeSpan.FromMilliseconds(step.LatencyMs), step.ErrorType), Check);
    }

    /// <summary>35: the system status is the worst graded tool status, or unknown; the summary counts add up to the reports, one per tool.</summary>
    [Property(Arbitrary = new[] { typeof(ToolArbitraries) }, MaxTest = 200)]
    public void SystemHealth_AnyHistory_StatusIsWorstGradedAndSummaryAddsUp(HealthScenario scenario)
    {
        var time = new FakeTimeProvider(TestKernel.Epoch);
        var tracker = new ToolHealthTracker(scenario.Settings.ToOptions(), time);
        var model = new HealthModel(scenario.Settings);

        void Check(string when)
        {
            SystemToolHealth health = tracker.SystemHealth(scenario.Registered);
            string[] expectedNames = scenario.Registered.Concat(model.Tools).Distinct().Order(StringComparer.Ordinal).ToArray();
            HealthStatus[] graded = health.ToolReports.Select(r => r.Status).Where(st => st != HealthStatus.Unknown).ToArray();
            HealthStatus expected = graded.Length == 0 ? HealthStatus.Unknown : graded.MaxBy(Rank);

            Assert.That(health.ToolReports.Select(r => r.ToolName), Is.EqualTo(expectedNames), when);
            Assert.That(health.Status, Is.EqualTo(expected), when);
            Assert.That(health.Summary.Keys, Is.EquivalentTo(Enum.GetValues<HealthStatus>()), when);
            Assert.That(health.Summary.Values.Sum(), Is.EqualTo(health.ToolReports.Count), when);
            foreach (HealthStatus st in Enum.GetValues<HealthStatus>())
            {
                Assert.That(health.Summary[st], Is.EqualTo(health.ToolReports.Count(r => r.Status == st)), $"{st} {when}");
            }
        }

        Replay(scenario, time, model, step => tracker.Record(step.Tool, step.Success, step.LatencyMs, step.ErrorType), Check);
    }

    /// <summary>With the window and the latency fixed, more failures never give a better status.</summary>
    [Property(Arbitrary = new[] { typeof(ToolArbitraries) }, MaxTest = 300)]
    public void Health_FailureRateRises_StatusNeverImproves(FailureLadder ladder)
    {
        HealthStatus? previous = null;
        for (int failures = 0; failures <= ladder.Calls; failures++)
        {
            // Arrange
            var tracker = new ToolHealthTracker(ladder.Settings.ToOptions(), new FakeTimeProvider(TestKernel.Epoch));
            for (int i = 0; i < ladder.Calls; i++)
            {
                bool failed = ladder.FailuresFirst ? i < failures : i >= ladder.Calls - failures;
                tracker.Record("t", !failed, ladder.LatencyMs, failed ? "Timeout" : null);
            }

            // Act
            HealthStatus status = tracker.Report("t").Status;

            // Assert
            Assert.That(status, Is.Not.EqualTo(HealthStatus.Unknown), $"{failures} failures");
            if (previous is { } before)
            {
                Assert.That(Rank(status), Is.GreaterThanOrEqualTo(Rank(before)), $"{failures} failures gave {status} after {before}");
            }

            previous = status;
        }
    }

    /// <summary>Q18 fixed: failures in the window grouped by type (missing as "unknown"), most frequent first, ties by type.</summary>
    [Property(Arbitrary = new[] { typeof(ToolArbitraries) }, MaxTest = 200)]
    public void ErrorPatterns_AnyHistory_CountWindowFailuresSortedByCountThenType(HealthScenario scenario)
    {
        var time = new FakeTimeProvider(TestKernel.Epoch);
        var tracker = new ToolHealthTracker(scenario.Settings.ToOptions(), time);
        var model = new HealthModel(scenario.Settings);

        void Check(string when)
        {
            foreach (string tool in ToolArbitraries.RegistrableTools)
            {
                (string, int)[] expected = model.Runs(tool)
                    .Where(r => !r.Success)
                    .GroupBy(r => r.ErrorType ?? "unknown", StringComparer.Ordinal)
                    .Select(g => (g.Key, g.Count()))
                    .OrderByDescending(p => p.Item2)
                    .ThenBy(p => p.Key, StringComparer.Ordinal)
                    .ToArray();
                Assert.That(tracker.ErrorPatterns(tool).Select(p => (p.ErrorType, p.Count)), Is.EqualTo(expected), $"{tool} {when}");
            }
        }

        Replay(scenario, time, model, step => tracker.Record(step.Tool, step.Success, step.LatencyMs, step.ErrorType), Check);
    }

    // ---- Registration ----

    /// <summary>A different entry with a taken id is refused with AlreadyExists and changes nothing, unless replaceExisting.</summary>
    [Property(Arbitrary = new[] { typeof(ToolArbitraries) }, MaxTest = 200)]
    public void Register_DifferentEntryWithSameId_RefusedUnlessReplaceExisting(ConflictingEntries entries)
    {
        // Arrange
        KernelCore core = TestKernel.Create(out _);
        string id = entries.First.Id;
        Assert.That(core.RegisterTool(entries.First), Is.EqualTo(ToolRegistration.Added));

        // Act
        var ex = Assert.Throws<KernelException>(() => core.RegisterTool(entries.Second));

        // Assert
        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.AlreadyExists));
        Assert.That(core.GetToolEntry(id), Is.EqualTo(entries.First).And.Not.SameAs(entries.First), "the catalog keeps its own copy");
        Assert.That(core.RegisterTool(entries.Second, replaceExisting: true), Is.EqualTo(ToolRegistration.Replaced));
        Assert.That(core.GetToolEntry(id), Is.EqualTo(entries.Second));
        Assert.That(core.ListTools(), Has.Count.EqualTo(1));
    }

    /// <summary>Registering an entry equal field by field (a fresh copy) is Unchanged, with or without replaceExisting, and keeps the first.</summary>
    [Property(Arbitrary = new[] { typeof(ToolArbitraries) }, MaxTest = 200)]
    public void Register_IdenticalEntryAgain_IsUnchanged(ToolDefinition tool)
    {
        // Arrange
        KernelCore core = TestKernel.Create(out _);
        Assert.That(core.RegisterTool(tool.Entry), Is.EqualTo(ToolRegistration.Added));

        // Act
        ToolRegistration again = core.RegisterTool(ToolModel.Copy(tool.Entry));
        ToolRegistration replaced = core.RegisterTool(ToolModel.Copy(tool.Entry), replaceExisting: true);

        // Assert
        Assert.That((again, replaced), Is.EqualTo((ToolRegistration.Unchanged, ToolRegistration.Unchanged)));
        Assert.That(core.GetToolEntry(tool.Entry.Id), Is.EqualTo(tool.Entry));
        Assert.That(core.ListTools(), Has.Count.EqualTo(1));
    }

    /// <summary>Malformed entries (empty id, duplicate parameter, ill-typed default, undefined enum value) give InvalidArgument and leave the catalog as it was.</summary>
    [Property(Arbitrary = new[] { typeof(ToolArbitraries) }, MaxTest = 300)]
    public void Register_MalformedEntry_InvalidArgumentAndCatalogUnchanged(MalformedEntry malformed)
    {
        // Arrange
        KernelCore core = KernelWith([.. malformed.Existing]);
        IReadOnlyList<ToolEntry> before = core.ListTools();

        foreach (bool replace in new[] { false, true })
        {
            // Act
            var ex = Assert.Throws<KernelException>(() => core.RegisterTool(malformed.Entry, replace));

            // Assert
            Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument), ex.Message);
            IReadOnlyList<ToolEntry> after = core.ListTools();
            Assert.That(after, Has.Count.EqualTo(before.Count));
            Assert.That(after.Zip(before).All(p => ReferenceEquals(p.First, p.Second)), Is.True, "an entry was replaced");
        }
    }

    private static KernelCore KernelWith(params ToolEntry[] tools)
    {
        KernelCore core = TestKernel.Create(out _);
        foreach (ToolEntry tool in tools)
        {
            Assert.That(core.RegisterTool(tool), Is.EqualTo(ToolRegistration.Added), () => ToolModel.Describe(tool));
        }

        return core;
    }

    /// <summary>Healthy &lt; degraded &lt; unhealthy.</summary>
    private static int Rank(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => 0,
        HealthStatus.Degraded => 1,
        HealthStatus.Unhealthy => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown is not graded"),
    };

    /// <summary>Advances the clock and records each step into the tracker and the model, checking after each and after the final advance.</summary>
    private static void Replay(HealthScenario scenario, FakeTimeProvider time, HealthModel model, Action<ExecutionStep> record, Action<string> check)
    {
        check("at the start");
        for (int i = 0; i < scenario.Steps.Count; i++)
        {
            ExecutionStep step = scenario.Steps[i];
            time.Advance(step.Advance);
            model.Advance(step.Advance);
            record(step);
            model.Record(step);
            check($"after step {i} ({step})");
        }

        time.Advance(scenario.FinalAdvance);
        model.Advance(scenario.FinalAdvance);
        check("after the final advance");
    }

    [GeneratedRegex(@"^- \S+\(.*\): .*$")]
    private static partial Regex ToolLine();

    /// <summary>The expected health windows: the last WindowSize executions per tool, with the time of each.</summary>
    private sealed class HealthModel(HealthSettings settings)
    {
        private readonly Dictionary<string, List<Run>> _runs = new(StringComparer.Ordinal);
        private TimeSpan _now;

        public IEnumerable<string> Tools => _runs.Keys;

        public void Advance(TimeSpan by) => _now += by;

        public void Record(ExecutionStep step)
        {
            if (!_runs.TryGetValue(step.Tool, out List<Run>? runs))
            {
                _runs[step.Tool] = runs = [];
            }

            runs.Add(new Run(step.Success, step.Success ? null : step.ErrorType, _now));
            if (runs.Count > settings.WindowSize)
            {
                runs.RemoveAt(0);
            }
        }

        public List<Run> Runs(string tool) => _runs.GetValueOrDefault(tool) ?? [];

        /// <summary>Failures no older than the circuit window: at or after now − window.</summary>
        public int RecentFailures(string tool) => Runs(tool).Count(r => !r.Success && r.At >= _now - settings.CircuitWindow);

        public IEnumerable<TimeSpan> FailureAges(string tool) => Runs(tool).Where(r => !r.Success).Select(r => _now - r.At);

        public sealed record Run(bool Success, string? ErrorType, TimeSpan At);
    }
}
