using Jeeves.Kernel;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;

namespace Jeeves.Tests.Kernel;

/// <summary>Quota invariants of spec §19: 11-16 (QuotaRules through KernelCore).</summary>
public sealed class QuotaProperties
{
    private static readonly ProcessId s_pid = new("quota-pid");

    /// <summary>The quota fields: wire name, update field and quota field, in the order <c>QuotaRules</c> validates them.</summary>
    private static readonly (string Name, Func<QuotaUpdate, int?> Update, Func<ResourceQuota, int> Quota)[] s_quotaFields =
    [
        ("max_llm_calls", u => u.MaxLlmCalls, q => q.MaxLlmCalls),
        ("max_tool_calls", u => u.MaxToolCalls, q => q.MaxToolCalls),
        ("max_agent_hops", u => u.MaxAgentHops, q => q.MaxAgentHops),
        ("max_iterations", u => u.MaxIterations, q => q.MaxIterations),
        ("timeout_seconds", u => u.TimeoutSeconds, q => q.TimeoutSeconds),
        ("max_input_tokens", u => u.MaxInputTokens, q => q.MaxInputTokens),
        ("max_output_tokens", u => u.MaxOutputTokens, q => q.MaxOutputTokens),
        ("max_context_tokens", u => u.MaxContextTokens, q => q.MaxContextTokens),
        ("soft_timeout_seconds", u => u.SoftTimeoutSeconds, q => q.SoftTimeoutSeconds),
        ("rate_limit_rpm", u => u.RateLimitRpm, q => q.RateLimitRpm),
        ("rate_limit_rph", u => u.RateLimitRph, q => q.RateLimitRph),
        ("rate_limit_burst", u => u.RateLimitBurst, q => q.RateLimitBurst),
        ("max_inference_requests", u => u.MaxInferenceRequests, q => q.MaxInferenceRequests),
        ("max_inference_input_chars", u => u.MaxInferenceInputChars, q => q.MaxInferenceInputChars),
    ];

    /// <summary>The usage fields: wire name, delta field, usage field and the largest total the field can hold.</summary>
    private static readonly (string Name, Func<UsageDelta, long> Delta, Func<ResourceUsage, long> Usage, long Max)[] s_usageFields =
    [
        ("llm_calls", d => d.LlmCalls, u => u.LlmCalls, int.MaxValue),
        ("tool_calls", d => d.ToolCalls, u => u.ToolCalls, int.MaxValue),
        ("agent_hops", d => d.AgentHops, u => u.AgentHops, int.MaxValue),
        ("iterations", d => d.Iterations, u => u.Iterations, int.MaxValue),
        ("tokens_in", d => d.TokensIn, u => u.TokensIn, long.MaxValue),
        ("tokens_out", d => d.TokensOut, u => u.TokensOut, long.MaxValue),
        ("inference_requests", d => d.InferenceRequests, u => u.InferenceRequests, int.MaxValue),
        ("inference_input_chars", d => d.InferenceInputChars, u => u.InferenceInputChars, long.MaxValue),
    ];

    /// <summary>(11) The check passes exactly when every enforced counter is at most its limit and the live elapsed time is at most the timeout.</summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 300)]
    public void CheckQuota_AnyUsage_PassesExactlyWhenEveryCounterAndElapsedIsWithinItsLimit(QuotaScenario scenario)
    {
        // Arrange
        (KernelCore core, ResourceUsage usage, double elapsed) = Run(scenario);

        // Act
        QuotaCheckResult result = core.CheckQuota(s_pid);

        // Assert
        ResourceQuota q = scenario.Quota;
        bool within = usage.LlmCalls <= q.MaxLlmCalls && usage.ToolCalls <= q.MaxToolCalls && usage.AgentHops <= q.MaxAgentHops &&
            usage.Iterations <= q.MaxIterations && usage.TokensIn <= q.MaxInputTokens && usage.TokensOut <= q.MaxOutputTokens &&
            elapsed <= q.TimeoutSeconds && usage.InferenceRequests <= q.MaxInferenceRequests &&
            usage.InferenceInputChars <= q.MaxInferenceInputChars;
        Assert.That(result.WithinBounds, Is.EqualTo(within), $"usage {usage}, elapsed {elapsed}s, result {result}");
        if (within)
        {
            Assert.That(result.ExceededReason, Is.Empty);
        }
        else
        {
            Assert.That(result.ExceededReason, Does.StartWith($"quota exceeded: Process {s_pid} quota exceeded: "));
        }
    }

    /// <summary>(13) When several limits are exceeded, the violation reported is the first in the §5.3 order.</summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 300)]
    public void CheckQuota_SeveralLimitsExceeded_ReportsTheFirstInTheFixedOrder(QuotaScenario scenario)
    {
        // Arrange
        (KernelCore core, ResourceUsage u, double elapsed) = Run(scenario);
        ResourceQuota q = scenario.Quota;
        (QuotaViolation Kind, double Used, int Limit)[] order =
        [
            (QuotaViolation.LlmCalls, u.LlmCalls, q.MaxLlmCalls),
            (QuotaViolation.ToolCalls, u.ToolCalls, q.MaxToolCalls),
            (QuotaViolation.AgentHops, u.AgentHops, q.MaxAgentHops),
            (QuotaViolation.Iterations, u.Iterations, q.MaxIterations),
            (QuotaViolation.TokensIn, u.TokensIn, q.MaxInputTokens),
            (QuotaViolation.TokensOut, u.TokensOut, q.MaxOutputTokens),
            (QuotaViolation.Timeout, elapsed, q.TimeoutSeconds),
            (QuotaViolation.InferenceRequests, u.InferenceRequests, q.MaxInferenceRequests),
            (QuotaViolation.InferenceInputChars, u.InferenceInputChars, q.MaxInferenceInputChars),
        ];
        QuotaViolation expected = order.FirstOrDefault(c => c.Used > c.Limit).Kind;

        // Act
        QuotaCheckResult result = core.CheckQuota(s_pid);

        // Assert
        Assert.That(result.Violation, Is.EqualTo(expected), $"usage {u}, elapsed {elapsed}s");
        Assert.That(result.Usage, Is.EqualTo(core.GetProcess(s_pid)!.Usage), "the result carries the stored usage");
    }

    /// <summary>(12) Recording more non-negative usage, or letting time pass, never turns a failing check into a passing one.</summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 300)]
    public void CheckQuota_MoreUsageOrTime_NeverTurnsAFailingCheckIntoAPassingOne(QuotaScenario scenario)
    {
        // Arrange
        KernelCore core = LifecycleDriver.CreateKernel(out FakeTimeProvider time);
        core.CreateProcess(s_pid, new CreateProcessOptions { Quota = scenario.Quota });
        if (scenario.Start)
        {
            core.TransitionState(s_pid, ProcessState.Running);
        }

        QuotaViolation failedWith = core.CheckQuota(s_pid).Violation;
        var steps = scenario.Deltas.Select(d => (Delta: (UsageDelta?)d, Terminate: false)).ToList();
        steps.Insert(steps.Count / 2, (null, scenario.Terminate));

        foreach ((UsageDelta? delta, bool terminate) in steps)
        {
            // Act
            time.Advance(scenario.Elapsed / (steps.Count + 1));
            if (delta is { } d)
            {
                core.RecordUsage(s_pid, d);
            }

            if (terminate)
            {
                core.TerminateProcess(s_pid);
            }

            QuotaCheckResult result = core.CheckQuota(s_pid);

            // Assert
            if (failedWith != QuotaViolation.None)
            {
                Assert.That(result.WithinBounds, Is.False, $"failed with {failedWith} earlier, passes now with usage {result.Usage}");
            }
            else
            {
                failedWith = result.Violation;
            }
        }
    }

    /// <summary>
    /// (14) Fields of the update that are positive replace the default, absent or 0 fields keep it; applying it twice
    /// is the same as once; an update with a negative field is refused with InvalidArgument naming a negative field,
    /// and nothing changes.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 500)]
    public void SetQuotaDefaults_AnyUpdate_MergesPositiveFieldsOnlyAndIsIdempotent(QuotaUpdate earlier, QuotaUpdate update)
    {
        // Arrange: start from an arbitrary default.
        KernelCore core = LifecycleDriver.CreateKernel(out _);
        if (!s_quotaFields.Any(f => f.Update(earlier) < 0))
        {
            core.SetQuotaDefaults(earlier);
        }

        ResourceQuota current = core.GetQuotaDefaults();
        string[] negative = s_quotaFields.Where(f => f.Update(update) < 0).Select(f => f.Name).ToArray();

        if (negative.Length > 0)
        {
            // Act
            KernelException? error = Assert.Throws<KernelException>(() => core.SetQuotaDefaults(update));

            // Assert
            Assert.That(error!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
            Assert.That(negative.Any(name => error.Message.Contains(name, StringComparison.Ordinal)), Is.True,
                $"'{error.Message}' names none of {string.Join(", ", negative)}");
            Assert.That(core.GetQuotaDefaults(), Is.EqualTo(current), "a refused update changed the default");
            return;
        }

        // Act
        ResourceQuota merged = core.SetQuotaDefaults(update);
        ResourceQuota again = core.SetQuotaDefaults(update);
        ResourceQuota afterZero = core.SetQuotaDefaults(AllZero());
        ResourceQuota afterEmpty = core.SetQuotaDefaults(new QuotaUpdate());

        // Assert
        foreach ((string name, Func<QuotaUpdate, int?> field, Func<ResourceQuota, int> get) in s_quotaFields)
        {
            int expected = field(update) is > 0 and int v ? v : get(current);
            Assert.That(get(merged), Is.EqualTo(expected), name);
        }

        Assert.That(again, Is.EqualTo(merged), "applying the update twice");
        Assert.That(afterZero, Is.EqualTo(merged), "an all-zero update");
        Assert.That(afterEmpty, Is.EqualTo(merged), "an empty update");
        Assert.That(core.GetQuotaDefaults(), Is.EqualTo(merged), "the stored default");
    }

    /// <summary>(15) Changing the default quota never changes the quota of a process that exists; new processes take the new default.</summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 200)]
    public void SetQuotaDefaults_AnyUpdate_LeavesExistingProcessQuotasAlone(ResourceQuota explicitQuota, QuotaUpdate[] updates)
    {
        // Arrange
        KernelCore core = LifecycleDriver.CreateKernel(out FakeTimeProvider time);
        var quotas = new Dictionary<ProcessId, ResourceQuota>();
        for (int i = 0; i < updates.Length; i++)
        {
            var withDefault = new ProcessId($"default-{i}");
            var withOwn = new ProcessId($"own-{i}");
            quotas[withDefault] = core.CreateProcess(withDefault).Quota;
            quotas[withOwn] = core.CreateProcess(withOwn, new CreateProcessOptions { Quota = explicitQuota }).Quota;
            Assert.That(quotas[withDefault], Is.EqualTo(core.GetQuotaDefaults()), "a new process takes the current default");
            Assert.That(quotas[withOwn], Is.EqualTo(explicitQuota), "a new process keeps the quota it was given");
            time.Advance(TimeSpan.FromSeconds(1));

            // Act
            try
            {
                core.SetQuotaDefaults(updates[i]);
            }
            catch (KernelException ex) when (ex.Code == KernelErrorCode.InvalidArgument)
            {
                // A negative field: refused, covered by the merge property.
            }

            // Assert
            foreach ((ProcessId pid, ResourceQuota quota) in quotas)
            {
                Assert.That(core.GetProcess(pid)!.Quota, Is.EqualTo(quota), $"{pid} after update {i}");
            }
        }
    }

    /// <summary>
    /// (16) A user's totals equal the sum of the usage recorded for that user. A delta with a negative field, or one
    /// that would overflow a total, is refused with InvalidArgument and records nothing.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 200)]
    public void RecordUsage_AnyDeltas_UserTotalsEqualTheSumOfAcceptedDeltas(UsageLog log)
    {
        // Arrange: process p{i} belongs to user u{i % 3}.
        KernelCore core = LifecycleDriver.CreateKernel(out _);
        var userOf = new Dictionary<int, UserId>();
        for (int i = 0; i < UsageEntry.ProcessCount; i++)
        {
            userOf[i] = new UserId($"u{i % 3}");
            core.CreateProcess(LifecycleOp.PidOf(i), new CreateProcessOptions { UserId = userOf[i] });
        }

        var processTotals = Enumerable.Range(0, UsageEntry.ProcessCount).ToDictionary(i => i, _ => new Int128[s_usageFields.Length]);
        var userTotals = new Dictionary<UserId, Int128[]>();

        foreach (UsageEntry entry in log.Entries)
        {
            UserId user = userOf[entry.Process];
            string where = $"{entry}";
            string? negative = s_usageFields.Where(f => f.Delta(entry.Delta) < 0).Select(f => f.Name).FirstOrDefault();
            Int128[] nextProcess = Add(processTotals[entry.Process], entry.Delta);
            Int128[] nextUser = Add(userTotals.GetValueOrDefault(user) ?? new Int128[s_usageFields.Length], entry.Delta);
            string? overflow = negative is null ? Overflowing(nextProcess) ?? Overflowing(nextUser) : null;

            // Act
            KernelException? error = null;
            try
            {
                core.RecordUsage(LifecycleOp.PidOf(entry.Process), entry.Delta);
            }
            catch (KernelException ex)
            {
                error = ex;
            }

            // Assert
            if (negative is not null || overflow is not null)
            {
                Assert.That(error?.Code, Is.EqualTo(KernelErrorCode.InvalidArgument), $"{where}: refused");
                Assert.That(error!.Message, Does.Contain(negative ?? overflow), $"{where}: the message names the field");
            }
            else
            {
                Assert.That(error, Is.Null, $"{where}: accepted");
                processTotals[entry.Process] = nextProcess;
                userTotals[user] = nextUser;
            }

            for (int i = 0; i < UsageEntry.ProcessCount; i++)
            {
                AssertTotals(core.GetProcess(LifecycleOp.PidOf(i))!.Usage, processTotals[i], $"{where}: p{i}");
            }

            foreach (UserId u in userOf.Values.Distinct())
            {
                ResourceUsage? recorded = core.GetUserUsage(u);
                Assert.That(recorded.HasValue, Is.EqualTo(userTotals.ContainsKey(u)), $"{where}: {u} has totals");
                if (recorded is { } r)
                {
                    AssertTotals(r, userTotals[u], $"{where}: {u}");
                }
            }
        }
    }

    /// <summary>Creates a process with the scenario's quota, records its usage, runs it for the scenario's time and maybe ends it.</summary>
    /// <returns>The kernel, the summed usage and the elapsed seconds the check should see.</returns>
    private static (KernelCore Core, ResourceUsage Usage, double Elapsed) Run(QuotaScenario s)
    {
        KernelCore core = LifecycleDriver.CreateKernel(out FakeTimeProvider time);
        core.CreateProcess(s_pid, new CreateProcessOptions { Quota = s.Quota });
        time.Advance(TimeSpan.FromSeconds(2));
        if (s.Start)
        {
            core.TransitionState(s_pid, ProcessState.Running);
        }

        var sum = new ResourceUsage();
        foreach (UsageDelta d in s.Deltas)
        {
            core.RecordUsage(s_pid, d);
            sum = sum with
            {
                LlmCalls = sum.LlmCalls + d.LlmCalls,
                ToolCalls = sum.ToolCalls + d.ToolCalls,
                AgentHops = sum.AgentHops + d.AgentHops,
                Iterations = sum.Iterations + d.Iterations,
                TokensIn = sum.TokensIn + d.TokensIn,
                TokensOut = sum.TokensOut + d.TokensOut,
                InferenceRequests = sum.InferenceRequests + d.InferenceRequests,
                InferenceInputChars = sum.InferenceInputChars + d.InferenceInputChars,
            };
        }

        time.Advance(s.Elapsed);
        if (s.Terminate)
        {
            core.TerminateProcess(s_pid);
            time.Advance(TimeSpan.FromMinutes(10)); // a finished process's time no longer runs
        }

        double elapsed = s.Start ? s.Elapsed.TotalMilliseconds / 1000.0 : 0.0;
        return (core, sum, elapsed);
    }

    private static QuotaUpdate AllZero() => new()
    {
        MaxInputTokens = 0,
        MaxOutputTokens = 0,
        MaxContextTokens = 0,
        MaxLlmCalls = 0,
        MaxToolCalls = 0,
        MaxAgentHops = 0,
        MaxIterations = 0,
        TimeoutSeconds = 0,
        SoftTimeoutSeconds = 0,
        RateLimitRpm = 0,
        RateLimitRph = 0,
        RateLimitBurst = 0,
        MaxInferenceRequests = 0,
        MaxInferenceInputChars = 0,
    };

    private static Int128[] Add(Int128[] totals, UsageDelta delta) =>
        s_usageFields.Select((f, i) => totals[i] + f.Delta(delta)).ToArray();

    private static string? Overflowing(Int128[] totals) =>
        s_usageFields.Where((f, i) => totals[i] > f.Max).Select(f => f.Name).FirstOrDefault();

    private static void AssertTotals(ResourceUsage usage, Int128[] expected, string where)
    {
        Int128[] actual = s_usageFields.Select(f => (Int128)f.Usage(usage)).ToArray();
        if (!actual.SequenceEqual(expected))
        {
            Assert.Fail($"{where}: totals {string.Join(", ", actual)}, expected {string.Join(", ", expected)}");
        }
    }
}
