namespace Jeeves.Kernel;

/// <summary>The process state table of the reference kernel (§3.2).</summary>
internal static class ProcessStateMachine
{
    public static bool CanTransition(ProcessState from, ProcessState to) => (from, to) switch
    {
        (ProcessState.New, ProcessState.Ready or ProcessState.Terminated) => true,
        (ProcessState.Ready, ProcessState.Running or ProcessState.Terminated) => true,
        (ProcessState.Running, ProcessState.Ready or ProcessState.Waiting or ProcessState.Blocked or ProcessState.Terminated) => true,
        (ProcessState.Waiting or ProcessState.Blocked, ProcessState.Ready or ProcessState.Terminated) => true,
        (ProcessState.Terminated, ProcessState.Zombie) => true,
        _ => false,
    };

    public static bool IsTerminal(this ProcessState state) => state is ProcessState.Terminated or ProcessState.Zombie;
}
