using System.Globalization;

namespace Jeeves.Tests.Kernel;

// The generated inputs of the kernel property tests. KernelArbitraries builds them; each one prints compactly so a
// shrunk counterexample reads as a script.

/// <summary>An operation of the lifecycle scripts.</summary>
public enum LifecycleOpKind
{
    Create,
    Schedule,
    Next,
    Transition,
    Terminate,
    Resume,
    Cleanup,
    Advance,

    /// <summary>A transition along a legal edge from the process's current state, picked by <see cref="LifecycleOp.Choice"/>.</summary>
    Step,
}

/// <summary>
/// One lifecycle step: the clock moves by <paramref name="Delay"/>, then the operation runs. <paramref name="Pid"/>
/// below <see cref="PidCount"/> names pid <c>p{Pid}</c>; a larger value picks an existing process, so that most
/// operations hit a live pid. <see cref="LifecycleDriver.Resolve"/> turns it into a concrete operation.
/// </summary>
public sealed record LifecycleOp(LifecycleOpKind Kind, int Pid, ProcessState Target, int Choice, SchedulingPriority Priority, TimeSpan Delay)
{
    public const int PidCount = 6;

    public ProcessId ProcessId => PidOf(Pid);

    public static ProcessId PidOf(int index) => new("p" + index.ToString(CultureInfo.InvariantCulture));

    public override string ToString()
    {
        string wait = Delay == TimeSpan.Zero ? string.Empty : $"+{Delay.TotalMilliseconds:0.###}ms ";
        string pid = Pid < PidCount ? $"p{Pid}" : $"existing#{Pid - PidCount}";
        return wait + Kind switch
        {
            LifecycleOpKind.Create => $"Create({pid}, {Priority})",
            LifecycleOpKind.Transition => $"Transition({pid} -> {Target})",
            LifecycleOpKind.Step => $"Step({pid}, edge #{Choice})",
            LifecycleOpKind.Next or LifecycleOpKind.Cleanup or LifecycleOpKind.Advance => Kind.ToString(),
            _ => $"{Kind}({pid})",
        };
    }
}

/// <summary>A sequence of lifecycle operations over the pids p0..p5.</summary>
public sealed record LifecycleScript(IReadOnlyList<LifecycleOp> Ops)
{
    public override string ToString() => "[" + string.Join("; ", Ops) + "]";
}

/// <summary>A process arriving <paramref name="Gap"/> after the previous one.</summary>
public sealed record Arrival(SchedulingPriority Priority, TimeSpan Gap, bool BlockAndResume)
{
    public override string ToString() => $"{Priority}+{Gap.TotalMilliseconds:0.###}ms{(BlockAndResume ? " (block/resume)" : string.Empty)}";
}

public sealed record ArrivalList(IReadOnlyList<Arrival> Arrivals)
{
    public override string ToString() => "[" + string.Join("; ", Arrivals) + "]";
}

/// <summary>Rate limiter configuration: requests per hour, per minute and per 10-second burst.</summary>
public sealed record RateLimits(int PerHour, int PerMinute, int Burst)
{
    public bool AllPositive => PerHour > 0 && PerMinute > 0 && Burst > 0;

    public RateLimitOptions ToOptions() => new() { RequestsPerHour = PerHour, RequestsPerMinute = PerMinute, BurstSize = Burst };

    public void ApplyTo(RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.RequestsPerHour = PerHour;
        options.RequestsPerMinute = PerMinute;
        options.BurstSize = Burst;
    }
}

/// <summary>
/// One request of a schedule. Its time is the previous request's time plus <paramref name="Gap"/>, or, when
/// <paramref name="EdgeBack"/> is positive, the time of the request <paramref name="EdgeBack"/> places earlier plus
/// <paramref name="EdgeWindow"/> plus <paramref name="EdgeSkewTicks"/> (never earlier than the previous request), so
/// schedules land exactly on window edges.
/// </summary>
public sealed record ScheduledRequest(
    TimeSpan Gap, int EdgeBack, TimeSpan EdgeWindow, long EdgeSkewTicks, int User, bool Record, bool CleanupBefore)
{
    public const int UserCount = 3;

    public UserId UserId => UserOf(User);

    public static UserId UserOf(int index) => new("u" + index.ToString(CultureInfo.InvariantCulture));

    /// <summary>Computes this request's time from the times of the requests before it.</summary>
    public DateTimeOffset TimeAfter(IReadOnlyList<DateTimeOffset> earlier, DateTimeOffset start)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        DateTimeOffset previous = earlier.Count == 0 ? start : earlier[^1];
        if (EdgeBack > 0 && earlier.Count >= EdgeBack)
        {
            DateTimeOffset edge = earlier[^EdgeBack] + EdgeWindow + TimeSpan.FromTicks(EdgeSkewTicks);
            return edge > previous ? edge : previous;
        }

        return previous + Gap;
    }

    public override string ToString()
    {
        string when = EdgeBack > 0
            ? $"edge(-{EdgeBack}, {EdgeWindow.TotalSeconds:0}s{EdgeSkewTicks:+0;-0;+0}t)"
            : $"+{Gap.TotalMilliseconds:0.####}ms";
        return $"{when} u{User}{(Record ? string.Empty : " dry")}{(CleanupBefore ? " cleanup" : string.Empty)}";
    }
}

public sealed record RequestSchedule(IReadOnlyList<ScheduledRequest> Requests)
{
    /// <summary>Computes the absolute time of every request.</summary>
    public IReadOnlyList<DateTimeOffset> Times(DateTimeOffset start)
    {
        var times = new List<DateTimeOffset>(Requests.Count);
        foreach (ScheduledRequest r in Requests)
        {
            times.Add(r.TimeAfter(times, start));
        }

        return times;
    }

    public override string ToString() => "[" + string.Join("; ", Requests) + "]";
}

/// <summary>A quota check scenario: usage recorded on a process, a start, a pause and maybe a termination.</summary>
public sealed record QuotaScenario(ResourceQuota Quota, IReadOnlyList<UsageDelta> Deltas, bool Start, TimeSpan Elapsed, bool Terminate)
{
    public override string ToString() =>
        $"quota={Quota}, deltas=[{string.Join("; ", Deltas)}], start={Start}, elapsed={Elapsed.TotalMilliseconds}ms, terminate={Terminate}";
}

/// <summary>Usage recorded against process <c>p{Process}</c>, which belongs to user <c>u{Process % 3}</c>.</summary>
public sealed record UsageEntry(int Process, UsageDelta Delta)
{
    public const int ProcessCount = 5;

    public override string ToString() => $"p{Process}: {Delta}";
}

public sealed record UsageLog(IReadOnlyList<UsageEntry> Entries)
{
    public override string ToString() => "[" + string.Join("; ", Entries) + "]";
}

/// <summary>Who answers an interrupt: its owner, another user, or a caller that names no user.</summary>
public enum Responder
{
    Owner,
    OtherUser,
    Anyone,
}

public enum InterruptOpKind
{
    Create,
    Resolve,
    Cancel,
    Get,
    Advance,
    Expire,
    Cleanup,
}

/// <summary>
/// One interrupt step. <paramref name="Target"/> picks an interrupt created earlier (modulo their number), or an
/// unknown id when negative.
/// </summary>
public sealed record InterruptOp(
    InterruptOpKind Kind, InterruptKind InterruptKind, int Session, int Request, int User, int Target, Responder Responder,
    bool EmptyResponse, TimeSpan Advance)
{
    public const int SessionCount = 3;
    public const int RequestCount = 3;
    public const int UserCount = 3;

    public static string SessionOf(int index) => "s" + index.ToString(CultureInfo.InvariantCulture);

    public static string RequestOf(int index) => "r" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The users; the empty string is a real user id that must match exactly.</summary>
    public static string UserOf(int index) => index switch
    {
        0 => "alice",
        1 => "bob",
        _ => string.Empty,
    };

    public override string ToString() => Kind switch
    {
        InterruptOpKind.Create => $"Create({InterruptKind}, s{Session}, r{Request}, user{User})",
        InterruptOpKind.Resolve => $"Resolve(#{Target}, {Responder}{(EmptyResponse ? ", empty" : string.Empty)})",
        InterruptOpKind.Cancel or InterruptOpKind.Get => $"{Kind}(#{Target})",
        InterruptOpKind.Advance => $"Advance({Advance})",
        _ => Kind.ToString(),
    };
}

public sealed record InterruptScript(IReadOnlyList<InterruptOp> Ops)
{
    public override string ToString() => "[" + string.Join("; ", Ops) + "]";
}

public enum SystemOpKind
{
    CreateProcess,
    Dispatch,
    Transition,
    Terminate,
    RecordUsage,
    RaiseInterrupt,
    ResolveInterrupt,
    CancelInterrupt,
    Advance,
    Cleanup,
}

/// <summary>One step of a whole-kernel script used by the cleanup properties.</summary>
public sealed record SystemOp(
    SystemOpKind Kind, int Pid, int User, ProcessState Target, InterruptKind InterruptKind, bool Linked, int Interrupt, TimeSpan Advance)
{
    public const int PidCount = 8;
    public const int UserCount = 4;

    public ProcessId ProcessId => new("p" + Pid.ToString(CultureInfo.InvariantCulture));

    public static UserId UserOf(int index) => new("u" + index.ToString(CultureInfo.InvariantCulture));

    public override string ToString() => Kind switch
    {
        SystemOpKind.CreateProcess => $"Create(p{Pid}, u{User})",
        SystemOpKind.Transition => $"Transition(p{Pid} -> {Target})",
        SystemOpKind.RaiseInterrupt => $"Raise({InterruptKind}{(Linked ? $", p{Pid}" : string.Empty)})",
        SystemOpKind.ResolveInterrupt or SystemOpKind.CancelInterrupt => $"{Kind}(#{Interrupt})",
        SystemOpKind.Advance => $"Advance({Advance})",
        SystemOpKind.Dispatch or SystemOpKind.Cleanup => Kind.ToString(),
        _ => $"{Kind}(p{Pid})",
    };
}

public sealed record SystemScript(IReadOnlyList<SystemOp> Ops)
{
    public override string ToString() => "[" + string.Join("; ", Ops) + "]";
}

public enum RegistryOpKind
{
    Register,
    Unregister,
    Increment,
    Decrement,
    UpdateHealth,
}

/// <summary>One service registry step on the service named <c>svc{Name}</c>.</summary>
public sealed record RegistryOp(RegistryOpKind Kind, int Name, string ServiceType, int MaxConcurrent, int InitialLoad, HealthStatus Status)
{
    public const int NameCount = 4;

    public string ServiceName => "svc" + Name.ToString(CultureInfo.InvariantCulture);

    public override string ToString() => Kind switch
    {
        RegistryOpKind.Register => $"Register({ServiceName}, {ServiceType}, max={MaxConcurrent}, load={InitialLoad}, {Status})",
        RegistryOpKind.UpdateHealth => $"UpdateHealth({ServiceName}, {Status})",
        _ => $"{Kind}({ServiceName})",
    };
}

public sealed record RegistryScript(IReadOnlyList<RegistryOp> Ops)
{
    public override string ToString() => "[" + string.Join("; ", Ops) + "]";
}

public enum CommandOutcome
{
    ReturnValue,
    KernelError,
    RateLimited,
    Panic,
}

/// <summary>A command posted to the kernel actor, and how it ends.</summary>
public sealed record CommandCase(string Name, CommandOutcome Outcome, string Message, KernelErrorCode Code, int PanicType, int Value)
{
    public override string ToString() => $"{Name}: {Outcome} '{Message}' ({Code}, panic type {PanicType}, value {Value})";
}

public sealed record CommandScript(IReadOnlyList<CommandCase> Commands)
{
    public override string ToString() => "[" + string.Join("; ", Commands) + "]";
}
