using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jeeves.Ipc;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Ipc.Client;

/// <summary>
/// The contract every <see cref="IKernelClient"/> keeps (STYLE.md P18): the same assertions run in process and over
/// TCP. Each public method of each service has at least one behaviour here, plus the main error codes.
/// </summary>
public abstract class KernelContractTests
{
    private readonly List<IAsyncDisposable> _owned = [];

    /// <summary>Gets the clock of the kernel <see cref="CreateClientAsync"/> started last.</summary>
    protected FakeTimeProvider Time { get; private set; } = null!;

    /// <summary>Creates the clock of a fresh kernel; <see cref="Time"/> then returns it.</summary>
    protected FakeTimeProvider NewTime() => Time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Starts a fresh kernel and returns a client for it.</summary>
    protected abstract Task<IKernelClient> CreateClientAsync(KernelOptions? options = null);

    protected void Own(IAsyncDisposable disposable) => _owned.Add(disposable);

    [TearDown]
    public async Task DisposeOwnedAsync()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        _owned.Clear();
    }

    private static PipelineConfig TwoStages() => new()
    {
        Name = "p",
        Stages = [new("a", "agent_a", [RoutingRule.Always("b")]), new("b", "agent_b")],
    };

    private static ToolEntry Tool(string id = "search") => new()
    {
        Id = id,
        Description = "Searches",
        Parameters =
        [
            new ToolParameter("query", ToolParameterType.String, "the query"),
            new ToolParameter("limit", ToolParameterType.Int, "max results", JsonValue.Create(10)),
        ],
    };

    private static async Task<KernelException> ThrowsKernel(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (KernelException ex)
        {
            return ex;
        }

        Assert.Fail("expected a KernelException");
        throw new InvalidOperationException();
    }

    // ---- kernel ----
    [Test]
    public async Task CreateProcess_ReturnsReadyProcess_AndDuplicateIsAlreadyExists()
    {
        IKernelClient c = await CreateClientAsync();
        ProcessInfo p = await c.Kernel.CreateProcessAsync(
            new ProcessId("p1"),
            new CreateProcessOptions { UserId = new UserId("u1"), SessionId = new SessionId("s1"), RequestId = new RequestId("r1"), Priority = SchedulingPriority.High });
        Assert.Multiple(() =>
        {
            Assert.That(p.Pid.Value, Is.EqualTo("p1"));
            Assert.That(p.State, Is.EqualTo(ProcessState.Ready));
            Assert.That(p.UserId.Value, Is.EqualTo("u1"));
            Assert.That(p.SessionId.Value, Is.EqualTo("s1"));
            Assert.That(p.RequestId.Value, Is.EqualTo("r1"));
            Assert.That(p.Priority, Is.EqualTo(SchedulingPriority.High));
        });
        KernelException ex = await ThrowsKernel(() => c.Kernel.CreateProcessAsync(new ProcessId("p1")));
        Assert.That(ex.Code, Is.EqualTo(KernelErrorCode.AlreadyExists));
        Assert.That(ex.Message, Is.EqualTo("already exists: Process p1 already exists"));
    }

    [Test]
    public async Task GetProcess_ReturnsProcess_OrNullWhenUnknown()
    {
        IKernelClient c = await CreateClientAsync();
        await c.Kernel.CreateProcessAsync(new ProcessId("p1"));
        Assert.That((await c.Kernel.GetProcessAsync(new ProcessId("p1")))!.Pid.Value, Is.EqualTo("p1"));
        Assert.That(await c.Kernel.GetProcessAsync(new ProcessId("nope")), Is.Null);
    }

    [Test]
    public async Task ProcessInfo_QuotaAndTimestamps_SameAsStored()
    {
        IKernelClient c = await CreateClientAsync();
        var pid = new ProcessId("p1");
        ResourceQuota quota = ResourceQuota.Default with { MaxLlmCalls = 7, TimeoutSeconds = 120, MaxContextTokens = 1 };
        DateTimeOffset created = Time.GetUtcNow();

        ProcessInfo fresh = await c.Kernel.CreateProcessAsync(pid, new CreateProcessOptions { Quota = quota });
        Time.Advance(TimeSpan.FromTicks(12_345_678));
        DateTimeOffset started = Time.GetUtcNow();
        ProcessInfo running = await c.Kernel.TransitionStateAsync(pid, ProcessState.Running);
        Time.Advance(TimeSpan.FromSeconds(3));
        ProcessInfo done = await c.Kernel.TerminateProcessAsync(pid, "done");
        ProcessInfo got = (await c.Kernel.GetProcessAsync(pid))!;

        Assert.Multiple(() =>
        {
            Assert.That((fresh.Quota, fresh.CreatedAt, fresh.StartedAt, fresh.LastScheduledAt, fresh.CompletedAt),
                Is.EqualTo((quota, created, (DateTimeOffset?)null, (DateTimeOffset?)null, (DateTimeOffset?)null)));
            Assert.That((running.StartedAt, running.LastScheduledAt, running.CompletedAt),
                Is.EqualTo(((DateTimeOffset?)started, (DateTimeOffset?)started, (DateTimeOffset?)null)));
            Assert.That(done.CompletedAt, Is.EqualTo(started.AddSeconds(3)));
            Assert.That((got.Quota, got.CreatedAt, got.StartedAt, got.LastScheduledAt, got.CompletedAt),
                Is.EqualTo((quota, created, (DateTimeOffset?)started, (DateTimeOffset?)started, done.CompletedAt)));
        });
    }

    [Test]
    public async Task GetNextRunnable_HandsOutOnce_ThenNull()
    {
        IKernelClient c = await CreateClientAsync();
        Assert.That(await c.Kernel.GetNextRunnableAsync(), Is.Null);
        await c.Kernel.CreateProcessAsync(new ProcessId("p1"));
        Assert.That((await c.Kernel.GetNextRunnableAsync())!.Pid.Value, Is.EqualTo("p1"));
        Assert.That(await c.Kernel.GetNextRunnableAsync(), Is.Null);
    }

    [Test]
    public async Task Transition_Schedule_Resume_Terminate_FollowTheStateTable()
    {
        IKernelClient c = await CreateClientAsync();
        var pid = new ProcessId("p1");
        await c.Kernel.CreateProcessAsync(pid);
        Assert.That((await c.Kernel.TransitionStateAsync(pid, ProcessState.Running)).State, Is.EqualTo(ProcessState.Running));
        Assert.That((await c.Kernel.TransitionStateAsync(pid, ProcessState.Blocked, "io")).State, Is.EqualTo(ProcessState.Blocked));
        Assert.That((await c.Kernel.ResumeProcessAsync(pid, new JsonObject { ["raw_input"] = "more" })).State, Is.EqualTo(ProcessState.Ready));
        KernelException notNew = await ThrowsKernel(() => c.Kernel.ScheduleProcessAsync(pid));
        Assert.That(notNew.Code, Is.EqualTo(KernelErrorCode.FailedPrecondition));
        KernelException bad = await ThrowsKernel(() => c.Kernel.TransitionStateAsync(pid, ProcessState.New));
        Assert.That(bad.Code, Is.EqualTo(KernelErrorCode.FailedPrecondition));
        KernelException notWaiting = await ThrowsKernel(() => c.Kernel.ResumeProcessAsync(pid));
        Assert.That(notWaiting.Code, Is.EqualTo(KernelErrorCode.FailedPrecondition));
        Assert.That((await c.Kernel.TerminateProcessAsync(pid, "done")).State, Is.EqualTo(ProcessState.Terminated));
        Assert.That((await c.Kernel.TerminateProcessAsync(pid)).State, Is.EqualTo(ProcessState.Terminated));
    }

    [Test]
    public async Task UnknownPid_IsNotFound_ForEveryProcessMethod()
    {
        IKernelClient c = await CreateClientAsync();
        var pid = new ProcessId("ghost");
        Func<Task>[] calls =
        [
            () => c.Kernel.ScheduleProcessAsync(pid),
            () => c.Kernel.TransitionStateAsync(pid, ProcessState.Running),
            () => c.Kernel.TerminateProcessAsync(pid),
            () => c.Kernel.ResumeProcessAsync(pid),
            () => c.Kernel.CheckQuotaAsync(pid),
            () => c.Kernel.RecordUsageAsync(pid, new UsageDelta { LlmCalls = 1 }),
        ];
        foreach (Func<Task> call in calls)
        {
            Assert.That((await ThrowsKernel(call)).Code, Is.EqualTo(KernelErrorCode.NotFound));
        }
    }

    [Test]
    public async Task RecordUsage_Accumulates_AndCheckQuotaReportsTheViolation()
    {
        IKernelClient c = await CreateClientAsync();
        var pid = new ProcessId("p1");
        await c.Kernel.CreateProcessAsync(pid, new CreateProcessOptions { Quota = ResourceQuota.Default with { MaxLlmCalls = 2 } });
        await c.Kernel.RecordUsageAsync(pid, new UsageDelta { LlmCalls = 1, TokensIn = 5 });
        ResourceUsage usage = await c.Kernel.RecordUsageAsync(pid, new UsageDelta { LlmCalls = 1, ToolCalls = 2, TokensOut = 7 });
        Assert.That((usage.LlmCalls, usage.ToolCalls, usage.TokensIn, usage.TokensOut), Is.EqualTo((2, 2, 5L, 7L)));
        Assert.That((await c.Kernel.CheckQuotaAsync(pid)).WithinBounds, Is.True);
        await c.Kernel.RecordUsageAsync(pid, new UsageDelta { LlmCalls = 1 });
        QuotaCheckResult check = await c.Kernel.CheckQuotaAsync(pid);
        Assert.Multiple(() =>
        {
            Assert.That(check.WithinBounds, Is.False);
            Assert.That(check.Violation, Is.EqualTo(QuotaViolation.LlmCalls));
            Assert.That(check.ExceededReason, Does.EndWith("llm_calls 3 > 2"));
            Assert.That(check.Usage.LlmCalls, Is.EqualTo(3));
        });
        KernelException negative = await ThrowsKernel(() => c.Kernel.RecordUsageAsync(pid, new UsageDelta { ToolCalls = -1 }));
        Assert.That(negative.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
    }

    [Test]
    public async Task CheckRateLimit_DryRunAndRecord_AndCreateProcessIsRefusedWithRateLimitedException()
    {
        var options = new KernelOptions();
        options.RateLimit.BurstSize = 2;
        IKernelClient c = await CreateClientAsync(options);
        var user = new UserId("u1");
        RateLimitDecision dry = await c.Kernel.CheckRateLimitAsync(user, record: false);
        Assert.That(dry.Allowed, Is.True);
        Assert.That((await c.Kernel.CheckRateLimitAsync(user)).Allowed, Is.True);
        Assert.That((await c.Kernel.CheckRateLimitAsync(user)).Allowed, Is.True);
        RateLimitDecision refused = await c.Kernel.CheckRateLimitAsync(user);
        Assert.Multiple(() =>
        {
            Assert.That(refused.Allowed, Is.False);
            Assert.That(refused.LimitType, Is.EqualTo(RateLimitWindow.Burst));
            Assert.That(refused.Limit, Is.EqualTo(2));
        });
        try
        {
            await c.Kernel.CreateProcessAsync(new ProcessId("p1"), new CreateProcessOptions { UserId = user });
            Assert.Fail("expected a refusal");
        }
        catch (RateLimitedException ex)
        {
            Assert.That(ex.Code, Is.EqualTo(KernelErrorCode.ResourceExhausted));
            Assert.That(ex.LimitType, Is.EqualTo(RateLimitWindow.Burst));
            Assert.That(ex.Limit, Is.EqualTo(2));
            Assert.That(ex.Message, Is.EqualTo(refused.Reason));
        }
    }

    [Test]
    public async Task ListProcesses_AndCounts_FilterByStateAndUser()
    {
        IKernelClient c = await CreateClientAsync();
        await c.Kernel.CreateProcessAsync(new ProcessId("p1"), new CreateProcessOptions { UserId = new UserId("u1") });
        await c.Kernel.CreateProcessAsync(new ProcessId("p2"), new CreateProcessOptions { UserId = new UserId("u2") });
        await c.Kernel.TerminateProcessAsync(new ProcessId("p2"));
        Assert.That((await c.Kernel.ListProcessesAsync()).Select(p => p.Pid.Value), Is.EqualTo(new[] { "p1", "p2" }));
        Assert.That((await c.Kernel.ListProcessesAsync(state: ProcessState.Ready)).Select(p => p.Pid.Value), Is.EqualTo(new[] { "p1" }));
        Assert.That((await c.Kernel.ListProcessesAsync(userId: new UserId("u2"))).Select(p => p.Pid.Value), Is.EqualTo(new[] { "p2" }));
        ProcessCounts counts = await c.Kernel.GetProcessCountsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(counts.Total, Is.EqualTo(2));
            Assert.That(counts.ByState[ProcessState.Ready], Is.EqualTo(1));
            Assert.That(counts.ByState[ProcessState.Terminated], Is.EqualTo(1));
            Assert.That(counts.ByState, Has.Count.EqualTo(7));
            Assert.That(counts.QueueDepth, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task QuotaDefaults_SetChangesOnlyGivenFields_NegativeIsInvalid()
    {
        IKernelClient c = await CreateClientAsync();
        ResourceQuota before = await c.Kernel.GetQuotaDefaultsAsync();
        ResourceQuota after = await c.Kernel.SetQuotaDefaultsAsync(new QuotaUpdate { MaxLlmCalls = 77 });
        Assert.That(after, Is.EqualTo(before with { MaxLlmCalls = 77 }));
        Assert.That(await c.Kernel.GetQuotaDefaultsAsync(), Is.EqualTo(after));
        KernelException ex = await ThrowsKernel(() => c.Kernel.SetQuotaDefaultsAsync(new QuotaUpdate { MaxToolCalls = -1 }));
        Assert.That(ex.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(await c.Kernel.GetQuotaDefaultsAsync(), Is.EqualTo(after));
    }

    [Test]
    public async Task GetSystemStatus_CountsProcessesAndSessions()
    {
        IKernelClient c = await CreateClientAsync();
        await c.Kernel.CreateProcessAsync(new ProcessId("p1"));
        Envelope envelope = await c.Engine.CreateEnvelopeAsync();
        await c.Orchestration.InitializeSessionAsync(new ProcessId("p2"), TwoStages(), envelope);
        SystemStatus status = await c.Kernel.GetSystemStatusAsync();
        Assert.That(status.Processes.Total, Is.EqualTo(2));
        Assert.That(status.ActiveOrchestrationSessions, Is.EqualTo(1));
    }

    // ---- interrupts ----
    private static CreateInterruptRequest Clarification(string session = "s1") => new()
    {
        Kind = InterruptKind.Clarification,
        RequestId = "r1",
        UserId = "u1",
        SessionId = session,
        EnvelopeId = "e1",
        Question = "Which one?",
        Data = new JsonObject { ["k"] = 1 },
    };

    [Test]
    public async Task Interrupt_CreateGetResolve_AndOwnership()
    {
        IKernelClient c = await CreateClientAsync();
        KernelInterrupt created = await c.Interrupts.CreateAsync(Clarification());
        Assert.Multiple(() =>
        {
            Assert.That(created.Status, Is.EqualTo(InterruptStatus.Pending));
            Assert.That(created.Kind, Is.EqualTo(InterruptKind.Clarification));
            Assert.That(created.Question, Is.EqualTo("Which one?"));
            Assert.That(created.Data!["k"]!.ToJsonString(), Is.EqualTo("1"));
        });
        KernelInterrupt got = (await c.Interrupts.GetAsync(created.Id))!;
        Assert.That((got.Id, got.SessionId, got.UserId, got.CreatedAt), Is.EqualTo((created.Id, "s1", "u1", created.CreatedAt)));
        Assert.That(await c.Interrupts.GetAsync("missing"), Is.Null);
        Assert.That(await c.Interrupts.ResolveAsync(created.Id, new InterruptResponse { Text = "this" }, "someone-else"), Is.False);
        KernelException empty = await ThrowsKernel(() => c.Interrupts.ResolveAsync(created.Id, new InterruptResponse(), "u1"));
        Assert.That(empty.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(await c.Interrupts.ResolveAsync(created.Id, new InterruptResponse { Text = "this" }, "u1"), Is.True);
        KernelInterrupt resolved = (await c.Interrupts.GetAsync(created.Id))!;
        Assert.That(resolved.Status, Is.EqualTo(InterruptStatus.Resolved));
        Assert.That(resolved.Response!.Text, Is.EqualTo("this"));
        Assert.That(resolved.ResolvedAt, Is.Not.Null);
        Assert.That(await c.Interrupts.ResolveAsync("missing", new InterruptResponse { Text = "x" }, null), Is.False);
    }

    [Test]
    public async Task Interrupt_CancelAndPendingForSession()
    {
        IKernelClient c = await CreateClientAsync();
        KernelInterrupt a = await c.Interrupts.CreateAsync(Clarification());
        KernelInterrupt b = await c.Interrupts.CreateAsync(Clarification() with { Kind = InterruptKind.Confirmation, Question = null, Message = "ok?" });
        await c.Interrupts.CreateAsync(Clarification("other"));
        Assert.That((await c.Interrupts.GetPendingForSessionAsync("s1")).Select(i => i.Id), Is.EqualTo(new[] { a.Id, b.Id }));
        Assert.That((await c.Interrupts.GetPendingForSessionAsync("s1", [InterruptKind.Confirmation])).Select(i => i.Id), Is.EqualTo(new[] { b.Id }));
        Assert.That(await c.Interrupts.GetPendingForSessionAsync("s1", []), Is.Empty);
        Assert.That(await c.Interrupts.CancelAsync(a.Id, "no longer needed"), Is.True);
        Assert.That(await c.Interrupts.CancelAsync(a.Id), Is.False);
        Assert.That((await c.Interrupts.GetAsync(a.Id))!.Status, Is.EqualTo(InterruptStatus.Cancelled));
        Assert.That((await c.Interrupts.GetPendingForSessionAsync("s1")).Select(i => i.Id), Is.EqualTo(new[] { b.Id }));
    }

    [Test]
    public async Task Interrupt_ForUnknownProcess_IsNotFound()
    {
        IKernelClient c = await CreateClientAsync();
        KernelException ex = await ThrowsKernel(() => c.Interrupts.CreateAsync(Clarification() with { ProcessId = new ProcessId("ghost") }));
        Assert.That(ex.Code, Is.EqualTo(KernelErrorCode.NotFound));
    }

    // ---- tools ----
    [Test]
    public async Task Tools_RegisterGetList_AndRegistrationOutcomes()
    {
        IKernelClient c = await CreateClientAsync();
        Assert.That(await c.Tools.RegisterToolAsync(Tool()), Is.EqualTo(ToolRegistration.Added));
        Assert.That(await c.Tools.RegisterToolAsync(Tool()), Is.EqualTo(ToolRegistration.Unchanged));
        ToolEntry changed = Tool() with { Description = "Finds" };
        KernelException ex = await ThrowsKernel(() => c.Tools.RegisterToolAsync(changed));
        Assert.That(ex.Code, Is.EqualTo(KernelErrorCode.AlreadyExists));
        Assert.That(await c.Tools.RegisterToolAsync(changed, replaceExisting: true), Is.EqualTo(ToolRegistration.Replaced));
        Assert.That(await c.Tools.GetToolEntryAsync("search"), Is.EqualTo(changed));
        Assert.That(await c.Tools.GetToolEntryAsync("missing"), Is.Null);
        await c.Tools.RegisterToolAsync(Tool("alpha"));
        Assert.That((await c.Tools.ListToolsAsync()).Select(t => t.Id), Is.EqualTo(new[] { "alpha", "search" }));
    }

    [Test]
    public async Task Tools_ValidateFillDefaultsAndPrompt()
    {
        IKernelClient c = await CreateClientAsync();
        await c.Tools.RegisterToolAsync(Tool());
        Assert.That((await c.Tools.ValidateToolParamsAsync("search", new JsonObject { ["query"] = "x" })).IsValid, Is.True);
        ToolValidationResult invalid = await c.Tools.ValidateToolParamsAsync("search", new JsonObject());
        Assert.That(invalid.IsValid, Is.False);
        Assert.That(invalid.Errors, Is.Not.Empty);
        JsonNode? filled = await c.Tools.FillDefaultsAsync("search", new JsonObject { ["query"] = "x" });
        Assert.That(filled!["limit"]!.ToJsonString(), Is.EqualTo("10"));
        Assert.That(filled["query"]!.GetValue<string>(), Is.EqualTo("x"));
        Assert.That((await ThrowsKernel(() => c.Tools.ValidateToolParamsAsync("missing", new JsonObject()))).Code, Is.EqualTo(KernelErrorCode.NotFound));
        string prompt = await c.Tools.GenerateToolPromptAsync();
        Assert.That(prompt, Does.Contain("search"));
        Assert.That(await c.Tools.GenerateToolPromptAsync(["other"]), Does.Not.Contain("search"));
    }

    [Test]
    public async Task Tools_GrantCheckRevokeAndList()
    {
        IKernelClient c = await CreateClientAsync();
        await c.Tools.RegisterToolAsync(Tool());
        await c.Tools.RegisterToolAsync(Tool("alpha"));
        await c.Tools.GrantToolAccessAsync("agent", ["search", "alpha"]);
        Assert.That(await c.Tools.CheckToolAccessAsync("agent", "search"), Is.True);
        Assert.That(await c.Tools.GetAgentToolsAsync("agent"), Is.EquivalentTo(new[] { "alpha", "search" }));
        await c.Tools.RevokeToolAccessAsync("agent", "search");
        Assert.That(await c.Tools.CheckToolAccessAsync("agent", "search"), Is.False);
        Assert.That(await c.Tools.GetAgentToolsAsync("agent"), Is.EqualTo(new[] { "alpha" }));
    }

    [Test]
    public async Task Tools_HealthCircuitAndErrorPatterns()
    {
        IKernelClient c = await CreateClientAsync();
        await c.Tools.RegisterToolAsync(Tool());
        for (int i = 0; i < 12; i++)
        {
            await c.Tools.RecordToolExecutionAsync("search", success: false, TimeSpan.FromMilliseconds(20), i % 3 == 0 ? "timeout" : "http_500");
        }

        ToolHealthReport report = await c.Tools.CheckToolHealthAsync("search");
        Assert.Multiple(() =>
        {
            Assert.That(report.ToolName, Is.EqualTo("search"));
            Assert.That(report.TotalCalls, Is.EqualTo(12));
            Assert.That(report.SuccessRate, Is.EqualTo(0.0));
            Assert.That(report.AvgLatencyMs, Is.EqualTo(20.0));
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Unhealthy));
        });
        Assert.That(await c.Tools.ShouldCircuitBreakAsync("search"), Is.True);
        Assert.That(await c.Tools.ShouldCircuitBreakAsync("quiet"), Is.False);
        IReadOnlyList<ToolErrorPattern> patterns = await c.Tools.GetErrorPatternsAsync("search");
        Assert.That(patterns, Is.EqualTo(new[] { new ToolErrorPattern("http_500", 8), new ToolErrorPattern("timeout", 4) }));
        SystemToolHealth system = await c.Tools.GetSystemToolHealthAsync();
        Assert.That(system.ToolReports.Select(r => r.ToolName), Is.EqualTo(new[] { "search" }));
        Assert.That(system.Summary[HealthStatus.Unhealthy], Is.EqualTo(1));
        Assert.That(system.Status, Is.EqualTo(HealthStatus.Unhealthy));
    }

    // ---- engine ----
    [Test]
    public async Task Engine_CreateUpdateClone_AndUnknownEnvelopeIsNotFound()
    {
        IKernelClient c = await CreateClientAsync();
        Envelope envelope = await c.Engine.CreateEnvelopeAsync(new CreateEnvelopeOptions { RawInput = "hi", UserId = "u1", SessionId = "s1", RequestId = "r1" });
        Assert.That(envelope.RawInput, Is.EqualTo("hi"));
        Assert.That(envelope.Identity.UserId, Is.EqualTo("u1"));
        Envelope updated = await c.Engine.UpdateEnvelopeAsync(envelope with { RawInput = "changed" });
        Assert.That(updated.RawInput, Is.EqualTo("changed"));
        Assert.That(updated.Identity.EnvelopeId, Is.EqualTo(envelope.Identity.EnvelopeId));
        Envelope copy = await c.Engine.CloneEnvelopeAsync(updated);
        Assert.That(copy.Identity.EnvelopeId, Is.Not.EqualTo(envelope.Identity.EnvelopeId));
        Assert.That(copy.RawInput, Is.EqualTo("changed"));
        Envelope stranger = envelope with { Identity = envelope.Identity with { EnvelopeId = "not-stored" } };
        Assert.That((await ThrowsKernel(() => c.Engine.UpdateEnvelopeAsync(stranger))).Code, Is.EqualTo(KernelErrorCode.NotFound));
    }

    [Test]
    public async Task Engine_CheckBoundsAndExecutePipeline()
    {
        IKernelClient c = await CreateClientAsync();
        Envelope envelope = await c.Engine.CreateEnvelopeAsync();
        BoundsCheckResult bounds = await c.Engine.CheckBoundsAsync(envelope);
        Assert.That(bounds.CanContinue, Is.True);
        Assert.That(bounds.LlmCallsRemaining, Is.GreaterThan(0));
        Instruction first = await c.Engine.ExecutePipelineAsync(envelope, TwoStages());
        Assert.That(first.Kind, Is.EqualTo(InstructionKind.RunAgent));
        Assert.That(first.AgentName, Is.EqualTo("agent_a"));
        var invalid = new PipelineConfig { Name = "bad", Stages = [new("a", "x", [RoutingRule.Always("nowhere")])] };
        Assert.That((await ThrowsKernel(() => c.Engine.ExecutePipelineAsync(envelope, invalid))).Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
    }

    // ---- orchestration ----
    [Test]
    public async Task Orchestration_RunsAPipelineToTheEnd()
    {
        IKernelClient c = await CreateClientAsync();
        var pid = new ProcessId("run1");
        Envelope envelope = await c.Engine.CreateEnvelopeAsync(new CreateEnvelopeOptions { RawInput = "go" });
        SessionState session = await c.Orchestration.InitializeSessionAsync(pid, TwoStages(), envelope);
        Assert.That((session.ProcessId.Value, session.CurrentStage, session.Terminated), Is.EqualTo(("run1", "a", false)));
        Assert.That(session.StageOrder, Is.EqualTo(new[] { "a", "b" }));
        KernelException duplicate = await ThrowsKernel(() => c.Orchestration.InitializeSessionAsync(pid, TwoStages(), envelope));
        Assert.That(duplicate.Code, Is.EqualTo(KernelErrorCode.AlreadyExists));
        Instruction next = await c.Orchestration.GetNextInstructionAsync(pid);
        Assert.That((next.Kind, next.AgentName), Is.EqualTo((InstructionKind.RunAgent, "agent_a")));
        KernelException wrong = await ThrowsKernel(() => c.Orchestration.ReportAgentResultAsync(pid, new AgentResult { AgentName = "agent_b" }));
        Assert.That(wrong.Code, Is.EqualTo(KernelErrorCode.FailedPrecondition));
        next = await c.Orchestration.ReportAgentResultAsync(pid, new AgentResult
        {
            AgentName = "agent_a",
            Output = new JsonObject { ["answer"] = 42 },
            Metrics = new AgentExecutionMetrics { LlmCalls = 1, TokensIn = 10, TokensOut = 5, Duration = TimeSpan.FromMilliseconds(30) },
        });
        Assert.That((next.Kind, next.AgentName), Is.EqualTo((InstructionKind.RunAgent, "agent_b")));
        Assert.That(next.Envelope, Is.Not.Null);
        next = await c.Orchestration.ReportAgentResultAsync(pid, new AgentResult { AgentName = "agent_b" });
        Assert.That(next.Kind, Is.EqualTo(InstructionKind.Terminate));
        Assert.That(next.TerminalReason, Is.Not.Null);
        SessionState end = await c.Orchestration.GetSessionStateAsync(pid);
        Assert.That(end.Terminated, Is.True);
        Assert.That(end.TerminalReason, Is.EqualTo(next.TerminalReason));
        Assert.That(end.EdgeTraversals, Is.Not.Empty);
        Assert.That((await ThrowsKernel(() => c.Orchestration.GetSessionStateAsync(new ProcessId("none")))).Code, Is.EqualTo(KernelErrorCode.NotFound));
        Assert.That((await ThrowsKernel(() => c.Orchestration.GetNextInstructionAsync(new ProcessId("none")))).Code, Is.EqualTo(KernelErrorCode.NotFound));
    }

    [Test]
    public async Task Orchestration_ResultWithAnInterrupt_PausesTheRunUntilItIsResolved()
    {
        IKernelClient c = await CreateClientAsync();
        var pid = new ProcessId("ask1");
        Envelope envelope = await c.Engine.CreateEnvelopeAsync(new CreateEnvelopeOptions { RawInput = "go", UserId = "ada" });
        _ = await c.Orchestration.InitializeSessionAsync(pid, TwoStages() with
        {
            ResumeStages = new Dictionary<InterruptKind, string> { [InterruptKind.Clarification] = "a" },
        }, envelope);
        _ = await c.Orchestration.GetNextInstructionAsync(pid);

        Instruction paused = await c.Orchestration.ReportAgentResultAsync(pid, new AgentResult
        {
            AgentName = "agent_a",
            Interrupt = new CreateInterruptRequest
            {
                Kind = InterruptKind.Clarification,
                Question = "Which one?",
                ProcessId = pid,
                RequestId = envelope.Identity.RequestId,
                UserId = "ada",
                SessionId = envelope.Identity.SessionId,
                EnvelopeId = envelope.Identity.EnvelopeId,
            },
        });

        Assert.That(paused.Kind, Is.EqualTo(InstructionKind.WaitInterrupt));
        KernelInterrupt? pending = await c.Interrupts.GetAsync(paused.Interrupt!.Id);
        Assert.That((pending?.Question, pending?.Status), Is.EqualTo(("Which one?", InterruptStatus.Pending)));
        Assert.That((await c.Kernel.GetProcessAsync(pid))?.State, Is.EqualTo(ProcessState.Waiting));
        Assert.That(await c.Interrupts.ResolveAsync(pending!.Id, new InterruptResponse { Text = "that one" }, "ada"), Is.True);
        Instruction resumed = await c.Orchestration.GetNextInstructionAsync(pid);
        Assert.That((resumed.Kind, resumed.AgentName), Is.EqualTo((InstructionKind.RunAgent, "agent_a")));
    }

    // ---- commbus ----
    [Test]
    public async Task CommBus_PublishSendQuery_WithoutHandlersOrSubscribers()
    {
        IKernelClient c = await CreateClientAsync();
        Assert.That(await c.CommBus.PublishAsync("nobody.listens", JsonElement.Parse("""{"a":1}"""), "test"), Is.EqualTo(0));
        Assert.That((await ThrowsKernel(() => c.CommBus.PublishAsync(""))).Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That((await ThrowsKernel(() => c.CommBus.SendAsync("no.handler"))).Code, Is.EqualTo(KernelErrorCode.NotFound));
        Assert.That((await ThrowsKernel(() => c.CommBus.QueryAsync("no.handler"))).Code, Is.EqualTo(KernelErrorCode.NotFound));
        KernelException negative = await ThrowsKernel(() => c.CommBus.QueryAsync("q", timeout: TimeSpan.FromMilliseconds(-5)));
        Assert.That(negative.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
    }

    [Test]
    public async Task CommBus_Subscribe_ReceivesPublishedEvents_AndRefusesNoPatterns()
    {
        IKernelClient c = await CreateClientAsync();
        Assert.That(Assert.Throws<KernelException>(() => c.CommBus.SubscribeAsync([]))!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        using var stop = new CancellationTokenSource();
        await using IAsyncEnumerator<BusEvent> events = c.CommBus.SubscribeAsync(["test.*"], "sub-1", stop.Token).GetAsyncEnumerator(stop.Token);
        ValueTask<bool> first = events.MoveNextAsync();

        // Over TCP the host registers the subscription when the request arrives: publish until it is delivered.
        int delivered = 0;
        for (int i = 0; i < 10_000 && delivered == 0; i++)
        {
            delivered = await c.CommBus.PublishAsync("test.hello", JsonElement.Parse("""{"n":1}"""), "me");
            if (delivered == 0)
            {
                await Task.Yield();
            }
        }

        Assert.That(delivered, Is.EqualTo(1));
        Assert.That(await first, Is.True);
        BusEvent e = events.Current;
        Assert.That((e.EventType, e.Source, e.Payload.GetProperty("n").GetInt32()), Is.EqualTo(("test.hello", "me", 1)));
        Assert.That(await c.CommBus.PublishAsync("other.type"), Is.EqualTo(0));
    }
}
