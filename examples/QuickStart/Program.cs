// A tour of the kernel in this process: create a governed process, run it, charge usage, pause it for a human,
// resume it when the human answers, and finish it.
using Jeeves;

await using IKernelClient kernel = KernelClient.CreateInProcess();

var alice = new UserId("alice");
ProcessInfo process = await kernel.Kernel.CreateProcessAsync(
    ProcessId.New(),
    new CreateProcessOptions { UserId = alice, Quota = new ResourceQuota { MaxLlmCalls = 3 } });
Console.WriteLine($"created  {process.Pid} {process.State}");

ProcessInfo next = await kernel.Kernel.GetNextRunnableAsync() ?? throw new InvalidOperationException("nothing to run");
await kernel.Kernel.TransitionStateAsync(next.Pid, ProcessState.Running);
await kernel.Kernel.RecordUsageAsync(next.Pid, new UsageDelta { LlmCalls = 1, TokensIn = 812, TokensOut = 97 });
QuotaCheckResult budget = await kernel.Kernel.CheckQuotaAsync(next.Pid);
Console.WriteLine($"budget   within bounds: {budget.WithinBounds}, llm calls used: {budget.Usage.LlmCalls} of 3");

KernelInterrupt question = await kernel.Interrupts.CreateAsync(new CreateInterruptRequest
{
    Kind = InterruptKind.Clarification,
    UserId = alice.Value,
    Question = "Which city should I plan the trip for?",
    ProcessId = next.Pid,
});
Console.WriteLine($"paused   {(await kernel.Kernel.GetProcessAsync(next.Pid))!.State} on {question.Id}: {question.Question}");

bool answered = await kernel.Interrupts.ResolveAsync(question.Id, new InterruptResponse { Text = "Paris" }, alice.Value);
Console.WriteLine($"answered {answered}; process is {(await kernel.Kernel.GetProcessAsync(next.Pid))!.State}");

await kernel.Kernel.RecordUsageAsync(next.Pid, new UsageDelta { LlmCalls = 3 });
budget = await kernel.Kernel.CheckQuotaAsync(next.Pid);
Console.WriteLine($"budget   {budget.ExceededReason}");

ProcessInfo done = await kernel.Kernel.TerminateProcessAsync(next.Pid, "answer delivered");
Console.WriteLine($"finished {done.State}: {done.TerminationReason}");

SystemStatus status = await kernel.Kernel.GetSystemStatusAsync();
Console.WriteLine($"status   {status.Processes.Total} process(es), {status.PendingInterrupts} pending interrupt(s)");
