using Jeeves.Kernel;
using static Jeeves.Tests.Kernel.Orchestration.Pipelines;

namespace Jeeves.Tests.Kernel.Orchestration;

/// <summary>
/// With no process retention, a run that an agent report ends is released in that same command: nothing of it survives
/// into the collector's older generations. Runs ended any other way wait for cleanup, as with any retention.
/// </summary>
public sealed class ZeroRetentionTests
{
    private static readonly ProcessId Pid = new("run-1");

    [Test]
    public void A_run_ended_by_its_last_report_is_released_at_once_with_its_final_envelope_handed_out()
    {
        KernelCore core = TestKernel.Create(out _, o => o.Cleanup.ProcessRetention = TimeSpan.Zero);
        _ = core.InitializeSession(Pid, Linear("a", "b"), NewEnvelope());
        _ = core.ReportAgentResult(Pid, Result("agent_a", """{"step":1}"""));

        Instruction last = core.ReportAgentResult(Pid, Result("agent_b", """{"step":2}"""));

        Assert.That((last.Kind, last.TerminalReason), Is.EqualTo((InstructionKind.Terminate, (TerminalReason?)TerminalReason.Completed)));
        Assert.That(last.Envelope?.Outputs.Keys, Is.EquivalentTo(new[] { "agent_a", "agent_b" }));
        Assert.That(core.GetProcess(Pid), Is.Null);
        KernelException? error = Assert.Throws<KernelException>(() => core.GetSessionState(Pid));
        Assert.That(error?.Code, Is.EqualTo(KernelErrorCode.NotFound));
        Assert.That(core.RunCleanup().ProcessesRemoved, Is.Zero, "nothing left for cleanup");
    }

    [Test]
    public void A_terminated_process_waits_for_cleanup_and_terminating_it_again_still_answers()
    {
        KernelCore core = TestKernel.Create(out var time, o => o.Cleanup.ProcessRetention = TimeSpan.Zero);
        _ = core.InitializeSession(Pid, Linear("a", "b"), NewEnvelope());

        ProcessInfo first = core.TerminateProcess(Pid, "stop");
        ProcessInfo second = core.TerminateProcess(Pid, "stop");

        Assert.That((first.State, second.State), Is.EqualTo((ProcessState.Terminated, ProcessState.Terminated)));
        time.Advance(TimeSpan.FromTicks(1));
        Assert.That(core.RunCleanup().ProcessesRemoved, Is.EqualTo(1));
        Assert.That(core.GetProcess(Pid), Is.Null);
    }

    [Test]
    public void With_a_retention_the_finished_run_stays_readable()
    {
        KernelCore core = TestKernel.Create(out _, o => o.Cleanup.ProcessRetention = TimeSpan.FromMinutes(1));
        _ = core.InitializeSession(Pid, Linear("a"), NewEnvelope());

        _ = core.ReportAgentResult(Pid, Result("agent_a"));

        Assert.That(core.GetProcess(Pid)?.State, Is.EqualTo(ProcessState.Terminated));
        Assert.That(core.GetSessionState(Pid).Envelope.Outputs.Keys, Is.EquivalentTo(new[] { "agent_a" }));
    }
}
