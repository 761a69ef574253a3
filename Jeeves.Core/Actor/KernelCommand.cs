using Jeeves.Kernel;

namespace Jeeves.Actor;

/// <summary>
/// A request/reply command: the command is its own reply source, so one call allocates the command and its task
/// and nothing else. Continuations run asynchronously so a caller never runs on, or re-enters, the kernel loop.
/// </summary>
internal sealed class KernelCommand<TState, TResult>(string name, Func<KernelCore, TState, TResult> operation, TState state)
    : TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously), IKernelCommand
{
    public string Name => name;

    public void Execute(KernelCore core) => TrySetResult(operation(core, state));

    public void Fail(Exception exception) => TrySetException(exception);
}
