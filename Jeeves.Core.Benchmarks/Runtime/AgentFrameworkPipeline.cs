using Microsoft.Agents.AI.Workflows;

namespace Jeeves.Benchmarks.Runtime;

/// <summary>
/// The peer's three steps: a Microsoft Agent Framework workflow of three executors in sequence, each answering its input
/// plus one, with the last one's answer as the workflow's output. Built once; run with the in-process execution
/// environment, which collects every event of the run.
/// </summary>
internal sealed class AgentFrameworkPipeline
{
    private readonly Workflow _workflow;

    public AgentFrameworkPipeline()
    {
        var first = new AddOneExecutor("step1");
        var second = new AddOneExecutor("step2");
        var third = new AddOneExecutor("step3");
        _workflow = new WorkflowBuilder(first)
            .AddEdge(first, second)
            .AddEdge(second, third)
            .WithOutputFrom(third)
            .Build();
    }

    /// <summary>Runs the workflow on <paramref name="input"/> to its end and reads every event it raised.</summary>
    /// <returns>The workflow's output (<paramref name="input"/> + 3) and the number of events.</returns>
    /// <exception cref="InvalidOperationException">The run produced no output.</exception>
    public async Task<(int Output, int Events)> RunAsync(int input)
    {
        await using Run run = await InProcessExecution.RunAsync(_workflow, input);
        int events = 0;
        int? output = null;
        foreach (WorkflowEvent e in run.NewEvents)
        {
            events++;
            if (e is WorkflowOutputEvent o && o.Is(out int value))
            {
                output = value;
            }
        }

        return (output ?? throw new InvalidOperationException($"The workflow ended without an output after {events} events"), events);
    }

    /// <summary>One step: answers its input plus one.</summary>
    private sealed class AddOneExecutor(string id) : Executor<int, int>(id, options: null, declareCrossRunShareable: true)
    {
        public override ValueTask<int> HandleAsync(int message, IWorkflowContext context, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(message + 1);
    }
}
