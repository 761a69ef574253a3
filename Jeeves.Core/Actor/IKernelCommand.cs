using Jeeves.Kernel;

namespace Jeeves.Actor;

/// <summary>A unit of work for the kernel actor.</summary>
internal interface IKernelCommand
{
    /// <summary>Gets the operation name, used in logs and in <c>Panic in &lt;name&gt;</c> errors.</summary>
    string Name { get; }

    /// <summary>Runs the command on the actor and completes its caller; exceptions propagate to the actor's guard.</summary>
    void Execute(KernelCore core);

    /// <summary>Completes the caller with a failure.</summary>
    void Fail(Exception exception);
}
