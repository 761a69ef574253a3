namespace Jeeves.Tests.Abstractions;

/// <summary>The identifier types and the wire names.</summary>
public sealed class IdentifierTests
{
    [Test]
    public void ProcessId_Empty_InvalidArgumentWithReferenceMessage()
    {
        var ex = Assert.Throws<KernelException>(() => _ = new ProcessId(string.Empty));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(ex.Message, Is.EqualTo("validation error: ProcessId cannot be empty"));
    }

    [Test]
    public void Ids_Null_RefusedWithTheirOwnNames()
    {
        Assert.That(Assert.Throws<KernelException>(() => _ = new UserId(null!))!.Message, Is.EqualTo("validation error: UserId cannot be empty"));
        Assert.That(Assert.Throws<KernelException>(() => _ = new SessionId(string.Empty))!.Message, Is.EqualTo("validation error: SessionId cannot be empty"));
        Assert.That(Assert.Throws<KernelException>(() => _ = new RequestId(string.Empty))!.Message, Is.EqualTo("validation error: RequestId cannot be empty"));
    }

    [Test]
    public void ProcessId_Default_EmptyButSafe()
    {
        ProcessId id = default;

        Assert.That(id.IsEmpty, Is.True);
        Assert.That(id.Value, Is.Empty);
        Assert.That(id, Is.EqualTo(default(ProcessId)));
    }

    [Test]
    public void ProcessId_ComparesOrdinalCaseSensitive()
    {
        Assert.That(new ProcessId("a") == new ProcessId("a"), Is.True);
        Assert.That(new ProcessId("a") == new ProcessId("A"), Is.False);
        Assert.That(new ProcessId("B") < new ProcessId("a"), Is.True);
    }

    [Test]
    public void New_UuidV4LowerCaseHyphenated()
    {
        Assert.That(ProcessId.New().Value, Does.Match("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"));
        ProcessId first = ProcessId.New();
        Assert.That(ProcessId.New(), Is.Not.EqualTo(first));
    }

    [Test]
    public void TryCreate_EmptyFalseOtherwiseTrue()
    {
        Assert.That(UserId.TryCreate(string.Empty, out _), Is.False);
        Assert.That(UserId.TryCreate(null, out _), Is.False);
        Assert.That(UserId.TryCreate("u", out UserId u) && u.Value == "u", Is.True);
    }

    [Test]
    public void WireNames_RoundTripEveryEnum()
    {
        foreach (ProcessState s in Enum.GetValues<ProcessState>())
        {
            Assert.That(WireNames.TryParseProcessState(WireNames.ToWire(s).ToLowerInvariant(), out ProcessState back) && back == s, Is.True);
        }

        foreach (SchedulingPriority p in Enum.GetValues<SchedulingPriority>())
        {
            Assert.That(WireNames.TryParsePriority(WireNames.ToWire(p), out SchedulingPriority back) && back == p, Is.True);
        }

        foreach (InterruptKind k in Enum.GetValues<InterruptKind>())
        {
            Assert.That(WireNames.TryParseInterruptKind(WireNames.ToWire(k), out InterruptKind back) && back == k, Is.True);
        }

        foreach (KernelErrorCode c in Enum.GetValues<KernelErrorCode>())
        {
            Assert.That(WireNames.TryParseErrorCode(WireNames.ToWire(c), out KernelErrorCode back) && back == c, Is.True);
        }
    }

    [Test]
    public void WireNames_ReferenceSpellings()
    {
        Assert.That(WireNames.ToWire(ProcessState.Terminated), Is.EqualTo("TERMINATED"));
        Assert.That(WireNames.ToWire(SchedulingPriority.Realtime), Is.EqualTo("REALTIME"));
        Assert.That(WireNames.ToWire(InterruptKind.AgentReview), Is.EqualTo("agent_review"));
        Assert.That(WireNames.ToWire(InterruptStatus.Cancelled), Is.EqualTo("cancelled"));
        Assert.That(WireNames.ToWire(KernelErrorCode.FailedPrecondition), Is.EqualTo("FAILED_PRECONDITION"));
        Assert.That(WireNames.ToWire(RateLimitWindow.Burst), Is.EqualTo("burst"));
        Assert.That(WireNames.ToWire(HealthStatus.Degraded), Is.EqualTo("degraded"));
    }

    [Test]
    public void WireNames_InterruptKindIsCaseSensitiveStateIsNot()
    {
        Assert.That(WireNames.TryParseInterruptKind("Clarification", out _), Is.False);
        Assert.That(WireNames.TryParseProcessState("running", out ProcessState s) && s == ProcessState.Running, Is.True);
        Assert.That(WireNames.TryParseProcessState("sleeping", out _), Is.False);
        Assert.That(WireNames.TryParsePriority(null, out _), Is.False);
    }
}
