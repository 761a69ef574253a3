using Jeeves.Kernel;

namespace Jeeves.Actor;

/// <summary>A command nobody awaits (timer work such as cleanup); its failure is logged by the actor.</summary>
internal sealed class KernelNotification(string name, Action<KernelCore> operation) : IKernelCommand
{
    public string Name => name;

    public void Execute(KernelCore core) => operation(core);

    public void Fail(Exception exception)
    {
        // Nobody waits for a notification; the actor has already logged the failure.
    }
}
