using FsCheck;
using FsCheck.Fluent;

namespace Jeeves.Tests.Kernel;

/// <summary>
/// The FsCheck generators of the kernel property tests. Every public static method returning an
/// <see cref="Arbitrary{T}"/> is registered for its type by <c>[Property(Arbitrary = ...)]</c>.
/// </summary>
/// <remarks>
/// Values are kept small on purpose: limits of a few units, pools of a handful of pids, users and sessions, and time
/// steps that often land exactly on a window edge or a time to live, so collisions and boundaries are common.
/// Scripts shrink by dropping operations.
/// </remarks>
public static class KernelArbitraries
{
    private static readonly TimeSpan s_tick = TimeSpan.FromTicks(1);

    public static Arbitrary<SchedulingPriority> Priority() => Arb.From(PriorityGen);

    public static Arbitrary<InterruptKind> InterruptKinds() => Arb.From(Gen.Elements(Enum.GetValues<InterruptKind>()));

    public static Arbitrary<ResourceQuota> Quota() => Arb.From(QuotaGen);

    public static Arbitrary<UsageDelta> Usage() => Arb.From(SmallDeltaGen);

    public static Arbitrary<QuotaUpdate> QuotaUpdates() => Arb.From(QuotaUpdateGen);

    public static Arbitrary<RateLimits> Limits() => Arb.From(
        from hour in Gen.Frequency((1, Gen.Constant(0)), (12, Gen.Choose(1, 14)))
        from minute in Gen.Frequency((1, Gen.Constant(0)), (12, Gen.Choose(1, 8)))
        from burst in Gen.Frequency((1, Gen.Constant(0)), (12, Gen.Choose(1, 5)))
        select new RateLimits(hour, minute, burst));

    public static Arbitrary<RequestSchedule> Schedules() =>
        Arb.From(ListGen(ScheduledRequestGen, 60).Select(r => new RequestSchedule(r)), s => ShrinkList(s.Requests).Select(r => new RequestSchedule(r)));

    public static Arbitrary<LifecycleScript> LifecycleScripts() =>
        Arb.From(ListGen(LifecycleOpGen, 60).Select(o => new LifecycleScript(o)), s => ShrinkList(s.Ops).Select(o => new LifecycleScript(o)));

    public static Arbitrary<ArrivalList> Arrivals() => Arb.From(
        ListGen(
            from priority in PriorityGen
            from gap in Gen.Frequency((3, Gen.Constant(TimeSpan.Zero)), (4, MillisGen(1, 5_000)))
            from block in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
            select new Arrival(priority, gap, block),
            30).Select(a => new ArrivalList(a)),
        a => ShrinkList(a.Arrivals).Select(x => new ArrivalList(x)));

    public static Arbitrary<QuotaScenario> QuotaScenarios() => Arb.From(
        from quota in QuotaGen
        from deltas in ListGen(SmallDeltaGen, 8)
        from start in Gen.Frequency((1, Gen.Constant(false)), (4, Gen.Constant(true)))
        from elapsed in Gen.OneOf(
            MillisGen(0, 150_000),
            Gen.Choose(-1, 1).Select(d => TimeSpan.FromMilliseconds((quota.TimeoutSeconds * 1000L) + d)).Where(t => t >= TimeSpan.Zero))
        from terminate in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        select new QuotaScenario(quota, deltas, start, elapsed, terminate));

    public static Arbitrary<UsageLog> UsageLogs() => Arb.From(
        ListGen(
            from process in Gen.Choose(0, UsageEntry.ProcessCount - 1)
            from delta in Gen.Frequency((16, SmallDeltaGen), (2, HugeDeltaGen), (2, NegativeDeltaGen))
            select new UsageEntry(process, delta),
            40).Select(e => new UsageLog(e)),
        l => ShrinkList(l.Entries).Select(e => new UsageLog(e)));

    public static Arbitrary<InterruptScript> InterruptScripts() =>
        Arb.From(ListGen(InterruptOpGen, 60).Select(o => new InterruptScript(o)), s => ShrinkList(s.Ops).Select(o => new InterruptScript(o)));

    public static Arbitrary<SystemScript> SystemScripts() =>
        Arb.From(ListGen(SystemOpGen, 80).Select(o => new SystemScript(o)), s => ShrinkList(s.Ops).Select(o => new SystemScript(o)));

    public static Arbitrary<RegistryScript> RegistryScripts() =>
        Arb.From(ListGen(RegistryOpGen, 60).Select(o => new RegistryScript(o)), s => ShrinkList(s.Ops).Select(o => new RegistryScript(o)));

    public static Arbitrary<CommandScript> CommandScripts() =>
        Arb.From(ListGen(CommandCaseGen, 6).Where(c => c.Count > 0).Select(c => new CommandScript(c)), s => ShrinkList(s.Commands).Where(c => c.Count > 0).Select(c => new CommandScript(c)));

    internal static Gen<SchedulingPriority> PriorityGen => Gen.Elements(Enum.GetValues<SchedulingPriority>());

    internal static Gen<ProcessState> StateGen => Gen.Elements(Enum.GetValues<ProcessState>());

    /// <summary>Quotas with small limits, so that a few recorded deltas cross them; 0 (forbid) is common.</summary>
    internal static Gen<ResourceQuota> QuotaGen =>
        from counters in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0)), (4, Gen.Choose(1, 12))), 4)
        from tokens in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0)), (4, Gen.Choose(1, 1_000))), 2)
        from timeout in Gen.Frequency((1, Gen.Constant(0)), (4, Gen.Choose(1, 120)))
        from inference in Gen.Choose(0, 12)
        from chars in Gen.Choose(0, 1_000)
        from informational in Gen.ArrayOf(Gen.Choose(0, 1_000), 5)
        select new ResourceQuota
        {
            MaxLlmCalls = counters[0],
            MaxToolCalls = counters[1],
            MaxAgentHops = counters[2],
            MaxIterations = counters[3],
            MaxInputTokens = tokens[0],
            MaxOutputTokens = tokens[1],
            TimeoutSeconds = timeout,
            MaxInferenceRequests = inference,
            MaxInferenceInputChars = chars,
            MaxContextTokens = informational[0],
            SoftTimeoutSeconds = informational[1],
            RateLimitRpm = informational[2],
            RateLimitRph = informational[3],
            RateLimitBurst = informational[4],
        };

    /// <summary>Non-negative usage of a few units per field, mostly zero.</summary>
    internal static Gen<UsageDelta> SmallDeltaGen =>
        from ints in Gen.ArrayOf(Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(1, 4))), 5)
        from longs in Gen.ArrayOf(Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(1, 300))), 3)
        select new UsageDelta
        {
            LlmCalls = ints[0],
            ToolCalls = ints[1],
            AgentHops = ints[2],
            Iterations = ints[3],
            InferenceRequests = ints[4],
            TokensIn = longs[0],
            TokensOut = longs[1],
            InferenceInputChars = longs[2],
        };

    /// <summary>Non-negative usage with fields near the top of their type, so two or three of them overflow a total.</summary>
    internal static Gen<UsageDelta> HugeDeltaGen =>
        from which in Gen.Choose(0, 7)
        from fraction in Gen.Choose(1, 1_000)
        select HugeDelta(which, fraction);

    /// <summary>Usage with exactly one negative field.</summary>
    internal static Gen<UsageDelta> NegativeDeltaGen =>
        from baseline in SmallDeltaGen
        from which in Gen.Choose(0, 7)
        from value in Gen.Choose(int.MinValue, -1)
        select WithField(baseline, which, value);

    /// <summary>Quota updates whose fields are absent, 0, positive, or (rarely) negative.</summary>
    internal static Gen<QuotaUpdate> QuotaUpdateGen =>
        from f in Gen.ArrayOf(
            Gen.Frequency(
                (6, Gen.Constant<int?>(null)),
                (3, Gen.Constant<int?>(0)),
                (8, Gen.Choose(1, 1_000_000).Select(v => (int?)v)),
                (1, Gen.Choose(int.MinValue, -1).Select(v => (int?)v))),
            14)
        select new QuotaUpdate
        {
            MaxInputTokens = f[0],
            MaxOutputTokens = f[1],
            MaxContextTokens = f[2],
            MaxLlmCalls = f[3],
            MaxToolCalls = f[4],
            MaxAgentHops = f[5],
            MaxIterations = f[6],
            TimeoutSeconds = f[7],
            SoftTimeoutSeconds = f[8],
            RateLimitRpm = f[9],
            RateLimitRph = f[10],
            RateLimitBurst = f[11],
            MaxInferenceRequests = f[12],
            MaxInferenceInputChars = f[13],
        };

    /// <summary>Gaps between requests: ties, single ticks, bursts, exact window lengths and long pauses.</summary>
    internal static Gen<TimeSpan> RequestGapGen => Gen.Frequency(
        (3, Gen.Constant(TimeSpan.Zero)),
        (2, Gen.Constant(s_tick)),
        (6, MillisGen(1, 2_000)),
        (3, Gen.Elements(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), TimeSpan.FromHours(1))),
        (4, MillisGen(2_000, 20_000)),
        (2, MillisGen(20_000, 300_000)),
        (1, MillisGen(600_000, 2_400_000)));

    internal static Gen<ScheduledRequest> ScheduledRequestGen =>
        from edge in Gen.Frequency((5, Gen.Constant(0)), (2, Gen.Choose(1, 12)))
        from gap in RequestGapGen
        from window in Gen.Elements(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), TimeSpan.FromHours(1))
        from skew in Gen.Elements(-1L, 0L, 0L, 1L)
        from user in Gen.Frequency((4, Gen.Constant(0)), (1, Gen.Choose(1, ScheduledRequest.UserCount - 1)))
        from record in Gen.Frequency((6, Gen.Constant(true)), (1, Gen.Constant(false)))
        from cleanup in Gen.Frequency((6, Gen.Constant(false)), (1, Gen.Constant(true)))
        select new ScheduledRequest(gap, edge, window, skew, user, record, cleanup);

    internal static Gen<LifecycleOp> LifecycleOpGen =>
        from kind in Gen.Frequency(
            (6, Gen.Constant(LifecycleOpKind.Create)),
            (1, Gen.Constant(LifecycleOpKind.Schedule)),
            (6, Gen.Constant(LifecycleOpKind.Next)),
            (3, Gen.Constant(LifecycleOpKind.Transition)),
            (10, Gen.Constant(LifecycleOpKind.Step)),
            (2, Gen.Constant(LifecycleOpKind.Terminate)),
            (3, Gen.Constant(LifecycleOpKind.Resume)),
            (1, Gen.Constant(LifecycleOpKind.Cleanup)),
            (1, Gen.Constant(LifecycleOpKind.Advance)))
        from pid in kind == LifecycleOpKind.Create
            ? Gen.Choose(0, LifecycleOp.PidCount - 1)
            : Gen.Frequency((1, Gen.Choose(0, LifecycleOp.PidCount - 1)), (3, Gen.Choose(LifecycleOp.PidCount, 4 * LifecycleOp.PidCount)))
        from target in StateGen
        from choice in Gen.Choose(0, 11)
        from priority in PriorityGen
        from delay in kind == LifecycleOpKind.Advance
            ? MillisGen(5_000, 40_000)
            : Gen.Frequency((3, Gen.Constant(TimeSpan.Zero)), (2, MillisGen(1, 3_000)))
        select new LifecycleOp(kind, pid, target, choice, priority, delay);

    /// <summary>Clock steps that line up with the per-kind times to live (5 min, 30 min, 1 h, 24 h) and one tick past them.</summary>
    internal static Gen<TimeSpan> InterruptAdvanceGen => Gen.Elements(
        s_tick,
        TimeSpan.FromSeconds(1),
        TimeSpan.FromMinutes(4),
        TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(1),
        TimeSpan.FromHours(2),
        TimeSpan.FromHours(24));

    internal static Gen<InterruptOp> InterruptOpGen =>
        from kind in Gen.Frequency(
            (5, Gen.Constant(InterruptOpKind.Create)),
            (5, Gen.Constant(InterruptOpKind.Resolve)),
            (2, Gen.Constant(InterruptOpKind.Cancel)),
            (1, Gen.Constant(InterruptOpKind.Get)),
            (4, Gen.Constant(InterruptOpKind.Advance)),
            (1, Gen.Constant(InterruptOpKind.Expire)),
            (2, Gen.Constant(InterruptOpKind.Cleanup)))
        from interruptKind in Gen.Elements(Enum.GetValues<InterruptKind>())
        from session in Gen.Choose(0, InterruptOp.SessionCount - 1)
        from request in Gen.Choose(0, InterruptOp.RequestCount - 1)
        from user in Gen.Choose(0, InterruptOp.UserCount - 1)
        from target in Gen.Frequency((1, Gen.Constant(-1)), (12, Gen.Choose(0, 1_000)))
        from responder in Gen.Frequency((5, Gen.Constant(Responder.Owner)), (2, Gen.Constant(Responder.OtherUser)), (2, Gen.Constant(Responder.Anyone)))
        from empty in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        from advance in InterruptAdvanceGen
        select new InterruptOp(kind, interruptKind, session, request, user, target, responder, empty, advance);

    internal static Gen<SystemOp> SystemOpGen =>
        from kind in Gen.Frequency(
            (5, Gen.Constant(SystemOpKind.CreateProcess)),
            (4, Gen.Constant(SystemOpKind.Dispatch)),
            (4, Gen.Constant(SystemOpKind.Transition)),
            (2, Gen.Constant(SystemOpKind.Terminate)),
            (3, Gen.Constant(SystemOpKind.RecordUsage)),
            (3, Gen.Constant(SystemOpKind.RaiseInterrupt)),
            (2, Gen.Constant(SystemOpKind.ResolveInterrupt)),
            (1, Gen.Constant(SystemOpKind.CancelInterrupt)),
            (3, Gen.Constant(SystemOpKind.Advance)),
            (2, Gen.Constant(SystemOpKind.Cleanup)))
        from pid in Gen.Choose(0, SystemOp.PidCount - 1)
        from user in Gen.Choose(0, SystemOp.UserCount - 1)
        from target in StateGen
        from interruptKind in Gen.Elements(Enum.GetValues<InterruptKind>())
        from linked in Gen.Frequency((1, Gen.Constant(false)), (3, Gen.Constant(true)))
        from interrupt in Gen.Choose(0, 1_000)
        from advance in Gen.Elements(
            TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5) + s_tick, TimeSpan.FromMinutes(20), TimeSpan.FromHours(1))
        select new SystemOp(kind, pid, user, target, interruptKind, linked, interrupt, advance);

    internal static Gen<RegistryOp> RegistryOpGen =>
        from kind in Gen.Frequency(
            (3, Gen.Constant(RegistryOpKind.Register)),
            (1, Gen.Constant(RegistryOpKind.Unregister)),
            (4, Gen.Constant(RegistryOpKind.Increment)),
            (5, Gen.Constant(RegistryOpKind.Decrement)),
            (2, Gen.Constant(RegistryOpKind.UpdateHealth)))
        from name in Gen.Choose(0, RegistryOp.NameCount - 1)
        from type in Gen.Elements("flow", "worker", "inference")
        from max in Gen.Choose(0, 4)
        from load in Gen.Choose(0, 3)
        from status in Gen.Elements(Enum.GetValues<HealthStatus>())
        select new RegistryOp(kind, name, type, max, load, status);

    internal static Gen<CommandCase> CommandCaseGen =>
        from name in Gen.Elements("CreateProcess", "ResolveInterrupt", "RunCleanup", "op with spaces", "Ünïcode")
        from outcome in Gen.Elements(Enum.GetValues<CommandOutcome>())
        from message in Gen.Elements("boom", string.Empty, "index out of range: 7", "multi\nline", "quote \" and {braces}")
        from code in Gen.Elements(Enum.GetValues<KernelErrorCode>())
        from panic in Gen.Choose(0, 4)
        from value in Gen.Choose(-1_000, 1_000)
        select new CommandCase(name, outcome, message, code, panic, value);

    /// <summary>A whole number of milliseconds in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    internal static Gen<TimeSpan> MillisGen(int min, int max) => Gen.Choose(min, max).Select(ms => TimeSpan.FromMilliseconds(ms));

    /// <summary>A list whose length grows with the size, up to <paramref name="maxLength"/>.</summary>
    internal static Gen<IReadOnlyList<T>> ListGen<T>(Gen<T> element, int maxLength) =>
        Gen.Sized(size => Gen.Choose(0, Math.Min(size, maxLength)))
            .SelectMany(n => Gen.ArrayOf(element, n))
            .Select(a => (IReadOnlyList<T>)a);

    /// <summary>Shrinks a list by dropping halves, then quarters, and so on down to single elements.</summary>
    internal static IEnumerable<IReadOnlyList<T>> ShrinkList<T>(IReadOnlyList<T> list)
    {
        for (int chunk = list.Count / 2; chunk >= 1; chunk /= 2)
        {
            for (int start = 0; start + chunk <= list.Count; start += chunk)
            {
                var shorter = new List<T>(list.Count - chunk);
                for (int i = 0; i < list.Count; i++)
                {
                    if (i < start || i >= start + chunk)
                    {
                        shorter.Add(list[i]);
                    }
                }

                yield return shorter;
            }
        }
    }

    private static UsageDelta HugeDelta(int field, int fraction)
    {
        int bigInt = int.MaxValue - (int)(int.MaxValue / 2000L * fraction);
        long bigLong = long.MaxValue - (long.MaxValue / 2000 * fraction);
        return field switch
        {
            0 => new UsageDelta { LlmCalls = bigInt },
            1 => new UsageDelta { ToolCalls = bigInt },
            2 => new UsageDelta { AgentHops = bigInt },
            3 => new UsageDelta { Iterations = bigInt },
            4 => new UsageDelta { InferenceRequests = bigInt },
            5 => new UsageDelta { TokensIn = bigLong },
            6 => new UsageDelta { TokensOut = bigLong },
            _ => new UsageDelta { InferenceInputChars = bigLong },
        };
    }

    private static UsageDelta WithField(UsageDelta d, int field, int value) => field switch
    {
        0 => d with { LlmCalls = value },
        1 => d with { ToolCalls = value },
        2 => d with { AgentHops = value },
        3 => d with { Iterations = value },
        4 => d with { InferenceRequests = value },
        5 => d with { TokensIn = value },
        6 => d with { TokensOut = value },
        _ => d with { InferenceInputChars = value },
    };
}
