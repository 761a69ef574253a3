using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Actor;

/// <summary>The in-process client: every kernel and interrupt call goes through the actor and behaves like the core.</summary>
public sealed class InProcessKernelClientTests
{
    private static ProcessId P(string pid) => new(pid);

    private static IKernelClient CreateClient(out FakeTimeProvider time)
    {
        time = new FakeTimeProvider(TestKernel.Epoch);
        return KernelClient.CreateInProcess(timeProvider: time);
    }

    [Test]
    public async Task ProcessLifecycle_EndToEnd()
    {
        await using IKernelClient client = CreateClient(out FakeTimeProvider time);
        IKernelService k = client.Kernel;

        ProcessInfo created = await k.CreateProcessAsync(P("p1"), new CreateProcessOptions { UserId = new UserId("u") });
        ProcessInfo? next = await k.GetNextRunnableAsync();
        await k.TransitionStateAsync(P("p1"), ProcessState.Running);
        await k.RecordUsageAsync(P("p1"), new UsageDelta { LlmCalls = 2, TokensIn = 10 });
        time.Advance(TimeSpan.FromSeconds(3));
        QuotaCheckResult quota = await k.CheckQuotaAsync(P("p1"));
        await k.TransitionStateAsync(P("p1"), ProcessState.Blocked, "rate");
        ProcessInfo resumed = await k.ResumeProcessAsync(P("p1"), new JsonObject { ["raw_input"] = "more" });
        ProcessInfo terminated = await k.TerminateProcessAsync(P("p1"), "done");

        Assert.That(created.State, Is.EqualTo(ProcessState.Ready));
        Assert.That(next?.Pid, Is.EqualTo(P("p1")));
        Assert.That(quota.WithinBounds, Is.True);
        Assert.That(resumed.State, Is.EqualTo(ProcessState.Ready));
        Assert.That(terminated.State, Is.EqualTo(ProcessState.Terminated));
        Assert.That(terminated.Usage.ElapsedSeconds, Is.EqualTo(3.0));
        Assert.That(await k.GetProcessAsync(P("p1")), Is.EqualTo(terminated));
        Assert.That(await k.GetProcessAsync(P("nope")), Is.Null);
        Assert.That((await k.ListProcessesAsync(ProcessState.Terminated)).Single().Pid, Is.EqualTo(P("p1")));
        Assert.That((await k.GetProcessCountsAsync()).ByState[ProcessState.Terminated], Is.EqualTo(1));
        Assert.That((await k.GetSystemStatusAsync()).Processes.Total, Is.EqualTo(1));
    }

    [Test]
    public async Task ReportAgentResult_CallerChangesItsOutputAfterwards_KernelKeepsWhatWasReported()
    {
        // Arrange
        await using IKernelClient client = CreateClient(out _);
        var config = new PipelineConfig { Name = "one", Stages = [new PipelineStage("a", "agent_a")] };
        await client.Orchestration.InitializeSessionAsync(P("p1"), config, Envelope.Create(TestKernel.Epoch));
        var output = new JsonObject { ["answer"] = 42 };
        var result = new AgentResult { AgentName = "agent_a", Output = output };

        // Act
        Instruction end = await client.Orchestration.ReportAgentResultAsync(P("p1"), result);
        output["answer"] = 7;
        output["added"] = true;

        // Assert
        Assert.That(end.Envelope!.Outputs["agent_a"].GetRawText(), Is.EqualTo("""{"answer":42}"""));
        SessionState state = await client.Orchestration.GetSessionStateAsync(P("p1"));
        Assert.That(state.Envelope.Outputs["agent_a"].GetRawText(), Is.EqualTo("""{"answer":42}"""));
        Assert.That(result.Output, Is.SameAs(output), "the caller's result is left as it was");
    }

    [Test]
    public async Task Errors_SameCodesAsTheCore()
    {
        await using IKernelClient client = CreateClient(out _);
        await client.Kernel.CreateProcessAsync(P("p1"));

        var dup = Assert.ThrowsAsync<KernelException>(() => client.Kernel.CreateProcessAsync(P("p1")));
        var missing = Assert.ThrowsAsync<KernelException>(() => client.Kernel.TerminateProcessAsync(P("x")));
        var empty = Assert.ThrowsAsync<KernelException>(() => client.Kernel.GetProcessAsync(default));
        var illegal = Assert.ThrowsAsync<KernelException>(() => client.Kernel.TransitionStateAsync(P("p1"), ProcessState.Zombie));

        Assert.That(new[] { dup!.Code, missing!.Code, empty!.Code, illegal!.Code },
            Is.EqualTo(new[] { KernelErrorCode.AlreadyExists, KernelErrorCode.NotFound, KernelErrorCode.InvalidArgument, KernelErrorCode.FailedPrecondition }));
    }

    [Test]
    public async Task QuotaDefaultsAndRateLimit_RoundTrip()
    {
        await using IKernelClient client = CreateClient(out _);

        ResourceQuota set = await client.Kernel.SetQuotaDefaultsAsync(new QuotaUpdate { MaxLlmCalls = 200 });
        ResourceQuota got = await client.Kernel.GetQuotaDefaultsAsync();
        RateLimitDecision d = await client.Kernel.CheckRateLimitAsync(new UserId("u"));

        Assert.That(set.MaxLlmCalls, Is.EqualTo(200));
        Assert.That(got, Is.EqualTo(set));
        Assert.That((d.Allowed, d.CurrentCount, d.Limit, d.Remaining), Is.EqualTo((true, 1, 60, 9)));
    }

    [Test]
    public async Task Interrupts_PauseAndResumeAProcess()
    {
        await using IKernelClient client = CreateClient(out _);
        await client.Kernel.CreateProcessAsync(P("p1"), new CreateProcessOptions { UserId = new UserId("alice"), SessionId = new SessionId("s1") });
        await client.Kernel.TransitionStateAsync(P("p1"), ProcessState.Running);

        KernelInterrupt i = await client.Interrupts.CreateAsync(new CreateInterruptRequest
        {
            Kind = InterruptKind.Clarification,
            UserId = "alice",
            SessionId = "s1",
            Question = "Which city?",
            ProcessId = P("p1"),
        });
        IReadOnlyList<KernelInterrupt> pending = await client.Interrupts.GetPendingForSessionAsync("s1");
        bool byMallory = await client.Interrupts.ResolveAsync(i.Id, new InterruptResponse { Text = "Rome" }, "mallory");
        bool byAlice = await client.Interrupts.ResolveAsync(i.Id, new InterruptResponse { Text = "Paris" }, "alice");

        Assert.That(pending.Select(x => x.Id), Is.EqualTo(new[] { i.Id }));
        Assert.That(byMallory, Is.False);
        Assert.That(byAlice, Is.True);
        Assert.That((await client.Interrupts.GetAsync(i.Id))!.Response!.Text, Is.EqualTo("Paris"));
        Assert.That((await client.Kernel.GetProcessAsync(P("p1")))!.State, Is.EqualTo(ProcessState.Ready));
        Assert.That(await client.Interrupts.CancelAsync(i.Id), Is.False);
        Assert.That(await client.Interrupts.GetAsync("int_0000000000000000"), Is.Null);
    }

    [Test]
    public async Task DisposeAsync_LaterCallsUnavailable()
    {
        IKernelClient client = CreateClient(out _);
        await client.DisposeAsync();

        var ex = Assert.ThrowsAsync<KernelException>(() => client.Kernel.GetProcessCountsAsync());

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.Unavailable));
    }
}
