using System.Text.Json.Nodes;
using Jeeves.Gateway;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Gateway;

/// <summary>The interrupts service: ownership, the 404 → 403 → 409 → 400 order, resume, cancel and listing.</summary>
public sealed class GatewayInterruptServiceTests
{
    private FakeTimeProvider _time = null!;
    private IKernelClient _kernel = null!;
    private GatewayInterruptService _service = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(TestKernel.Epoch);
        _kernel = KernelClient.CreateInProcess(timeProvider: _time);
        _service = new GatewayInterruptService(_kernel);
    }

    [TearDown]
    public async Task TearDown() => await _kernel.DisposeAsync();

    private Task<KernelInterrupt> RaiseAsync(InterruptKind kind = InterruptKind.Clarification, string user = "alice", string session = "s1", ProcessId? pid = null) =>
        _kernel.Interrupts.CreateAsync(new CreateInterruptRequest
        {
            Kind = kind, UserId = user, SessionId = session, RequestId = "r1", Question = "Which city?", ProcessId = pid,
            Data = new JsonObject { ["k"] = 1 },
        });

    [Test]
    public async Task Get_OwnerUnknownAndStranger_OkNotFoundForbidden()
    {
        KernelInterrupt raised = await RaiseAsync();

        GatewayResult<InterruptView> own = await _service.GetAsync(raised.Id, "alice");
        GatewayResult<InterruptView> missing = await _service.GetAsync("int_0000000000000000", "alice");
        GatewayResult<InterruptView> stranger = await _service.GetAsync(raised.Id, "bob");

        Assert.That(own.Value, Is.Not.Null);
        Assert.That(own.Value!.Kind, Is.EqualTo("clarification"));
        Assert.That(own.Value.Status, Is.EqualTo("pending"));
        Assert.That(own.Value.Question, Is.EqualTo("Which city?"));
        Assert.That(own.Value.CreatedAt, Is.EqualTo("2026-01-01T00:00:00.000Z"));
        Assert.That(own.Value.ExpiresAt, Is.EqualTo("2026-01-02T00:00:00.000Z"));
        Assert.That(own.Value.ResolvedAt, Is.Null);
        Assert.That((missing.Outcome, missing.Detail), Is.EqualTo((GatewayOutcome.NotFound, "Interrupt not found")));
        Assert.That((stranger.Outcome, stranger.Detail), Is.EqualTo((GatewayOutcome.Forbidden, "Not authorized to access this interrupt")));
    }

    [Test]
    public async Task Respond_Owner_ResolvedAndPausedProcessResumes()
    {
        // Arrange: a running process paused by the interrupt.
        var pid = new ProcessId("p1");
        await _kernel.Kernel.CreateProcessAsync(pid, new CreateProcessOptions { UserId = new UserId("alice") });
        await _kernel.Kernel.TransitionStateAsync(pid, ProcessState.Running);
        KernelInterrupt raised = await RaiseAsync(pid: pid);
        Assert.That((await _kernel.Kernel.GetProcessAsync(pid))!.State, Is.EqualTo(ProcessState.Waiting));

        // Act
        GatewayResult<InterruptRespondResult> result = await _service.RespondAsync(raised.Id, "alice", new InterruptResponse { Text = "Paris" });

        // Assert
        Assert.That(result.IsSuccess, Is.True);
        Assert.That(result.Value!.Success, Is.True);
        Assert.That(result.Value.RequestCanResume, Is.True);
        Assert.That(result.Value.Interrupt.Status, Is.EqualTo("resolved"));
        Assert.That(result.Value.Interrupt.ResolvedAt, Is.EqualTo("2026-01-01T00:00:00.000Z"));
        Assert.That((await _kernel.Kernel.GetProcessAsync(pid))!.State, Is.EqualTo(ProcessState.Ready));
    }

    [Test]
    public async Task Respond_CheckOrder_NotFoundThenForbiddenThenConflictThenBadRequest()
    {
        KernelInterrupt raised = await RaiseAsync();
        var empty = new InterruptResponse();

        GatewayResult<InterruptRespondResult> missing = await _service.RespondAsync("int_0000000000000000", "bob", empty);
        GatewayResult<InterruptRespondResult> stranger = await _service.RespondAsync(raised.Id, "bob", empty);
        GatewayResult<InterruptRespondResult> noText = await _service.RespondAsync(raised.Id, "alice", new InterruptResponse { Approved = true });
        await _service.RespondAsync(raised.Id, "alice", new InterruptResponse { Text = "Paris" });
        GatewayResult<InterruptRespondResult> again = await _service.RespondAsync(raised.Id, "bob", empty);
        GatewayResult<InterruptRespondResult> againOwner = await _service.RespondAsync(raised.Id, "alice", empty);

        Assert.That(missing.Outcome, Is.EqualTo(GatewayOutcome.NotFound));
        Assert.That((stranger.Outcome, stranger.Detail), Is.EqualTo((GatewayOutcome.Forbidden, "Not authorized to respond to this interrupt")));
        Assert.That((noText.Outcome, noText.Detail), Is.EqualTo((GatewayOutcome.BadRequest, "Clarification interrupt requires 'text' field")));
        Assert.That(again.Outcome, Is.EqualTo(GatewayOutcome.Forbidden), "ownership is checked before status");
        Assert.That((againOwner.Outcome, againOwner.Detail), Is.EqualTo((GatewayOutcome.Conflict, "Interrupt is not pending (status: resolved)")));
    }

    [TestCase(InterruptKind.Confirmation, "Confirmation interrupt requires 'approved' field")]
    [TestCase(InterruptKind.AgentReview, "Agent review interrupt requires 'decision' field")]
    public async Task Respond_KindRequiresField_BadRequest(InterruptKind kind, string detail)
    {
        KernelInterrupt raised = await RaiseAsync(kind);

        GatewayResult<InterruptRespondResult> result = await _service.RespondAsync(raised.Id, "alice", new InterruptResponse { Text = "x" });

        Assert.That((result.Outcome, result.Detail), Is.EqualTo((GatewayOutcome.BadRequest, detail)));
    }

    [Test]
    public async Task Respond_Expired_Conflict()
    {
        KernelInterrupt raised = await RaiseAsync();
        _time.Advance(TimeSpan.FromHours(25));

        GatewayResult<InterruptRespondResult> result = await _service.RespondAsync(raised.Id, "alice", new InterruptResponse { Text = "late" });
        GatewayResult<InterruptView> cancel = await _service.CancelAsync(raised.Id, "alice", null);

        Assert.That((result.Outcome, result.Detail), Is.EqualTo((GatewayOutcome.Conflict, "Interrupt is not pending (status: expired)")));
        Assert.That(cancel.Outcome, Is.EqualTo(GatewayOutcome.Conflict));
    }

    [Test]
    public async Task Cancel_OwnerThenAgain_CancelledThenConflict()
    {
        KernelInterrupt raised = await RaiseAsync();

        GatewayResult<InterruptView> stranger = await _service.CancelAsync(raised.Id, "bob", "no");
        GatewayResult<InterruptView> first = await _service.CancelAsync(raised.Id, "alice", "changed my mind");
        GatewayResult<InterruptView> second = await _service.CancelAsync(raised.Id, "alice", null);
        GatewayResult<InterruptView> missing = await _service.CancelAsync("int_0000000000000000", "alice", null);

        Assert.That((stranger.Outcome, stranger.Detail), Is.EqualTo((GatewayOutcome.Forbidden, "Not authorized to cancel this interrupt")));
        Assert.That(first.Value!.Status, Is.EqualTo("cancelled"));
        Assert.That(first.Value.Data!["cancel_reason"]!.GetValue<string>(), Is.EqualTo("changed my mind"));
        Assert.That((second.Outcome, second.Detail), Is.EqualTo((GatewayOutcome.Conflict, "Cannot cancel interrupt (may already be resolved)")));
        Assert.That(missing.Outcome, Is.EqualTo(GatewayOutcome.NotFound));
    }

    [Test]
    public async Task List_OnlyTheCallersPendingInTheSessionFilteredAndLimited()
    {
        KernelInterrupt a1 = await RaiseAsync();
        KernelInterrupt a2 = await RaiseAsync(InterruptKind.Confirmation);
        await RaiseAsync(user: "bob");
        await RaiseAsync(session: "other");
        KernelInterrupt a3 = await RaiseAsync();
        await _service.RespondAsync(a3.Id, "alice", new InterruptResponse { Text = "done" });

        InterruptList all = (await _service.ListAsync("alice", "s1")).Value!;
        InterruptList clarifications = (await _service.ListAsync("alice", "s1", kind: "clarification")).Value!;
        InterruptList limited = (await _service.ListAsync("alice", "s1", statusFilter: "all", limit: 1)).Value!;
        InterruptList resolved = (await _service.ListAsync("alice", "s1", statusFilter: "resolved")).Value!;
        InterruptList noSession = (await _service.ListAsync("alice", null, kind: "bogus")).Value!;
        GatewayResult<InterruptList> badKind = await _service.ListAsync("alice", "s1", kind: "bogus");

        Assert.That(all.Interrupts.Select(i => i.Id), Is.EqualTo(new[] { a1.Id, a2.Id }));
        Assert.That(all.Total, Is.EqualTo(2));
        Assert.That(clarifications.Interrupts.Select(i => i.Id), Is.EqualTo(new[] { a1.Id }));
        Assert.That((limited.Total, limited.Interrupts.Count), Is.EqualTo((1, 1)));
        Assert.That(resolved.Total, Is.Zero, "the kernel lists pending interrupts only");
        Assert.That(noSession.Total, Is.Zero, "without a session the list is empty and the kind is not checked");
        Assert.That((badKind.Outcome, badKind.Detail), Is.EqualTo((GatewayOutcome.BadRequest, "Invalid interrupt kind: bogus")));
    }

    [Test]
    public async Task KernelGone_Unavailable()
    {
        await _kernel.DisposeAsync();

        GatewayResult<InterruptView> get = await _service.GetAsync("int_0000000000000000", "alice");

        Assert.That((get.Outcome, get.Detail), Is.EqualTo((GatewayOutcome.Unavailable, "Interrupt service unavailable")));
    }
}
