using Jeeves.Actor;
using Jeeves.Kernel;
using Jeeves.Tests.Kernel;
using NUnit.Framework;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;

namespace Jeeves.Tests.Actor;

/// <summary>Recovery invariant of spec §19 (38), through the kernel actor's command guard.</summary>
public sealed class KernelActorRecoveryProperties
{
    /// <summary>
    /// (38) A command's result and its KernelException reach the caller exactly as they were; any other exception
    /// becomes Internal with a message naming the command and the original message; the actor keeps serving.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 100)]
    public async Task InvokeAsync_AnyCommand_PanicsBecomeInternalAndEverythingElsePassesThrough(CommandScript script)
    {
        // Arrange
        KernelCore core = TestKernel.CreateUnlimited(out _);
        await using var actor = new KernelActor(core, capacity: 16, cleanupInterval: TimeSpan.Zero);

        for (int i = 0; i < script.Commands.Count; i++)
        {
            CommandCase command = script.Commands[i];
            Exception? failure = command.Outcome switch
            {
                CommandOutcome.KernelError => new KernelException(command.Code, command.Message),
                CommandOutcome.RateLimited => new RateLimitedException(command.Message),
                CommandOutcome.Panic => Panic(command.PanicType, command.Message),
                _ => null,
            };

            // Act
            int? result = null;
            KernelException? caught = null;
            try
            {
                result = await actor.InvokeAsync(command.Name, static (_, s) => s.Failure is null ? s.Value : throw s.Failure, (command.Value, Failure: failure), CancellationToken.None);
            }
            catch (KernelException ex)
            {
                caught = ex;
            }

            // Assert
            string where = $"command {i}: {command}";
            switch (command.Outcome)
            {
                case CommandOutcome.ReturnValue:
                    Assert.That((result, caught), Is.EqualTo(((int?)command.Value, (KernelException?)null)), where);
                    break;
                case CommandOutcome.KernelError or CommandOutcome.RateLimited:
                    Assert.That(caught, Is.SameAs(failure), $"{where}: a KernelException must pass through unchanged");
                    break;
                default:
                    Assert.That(caught, Is.Not.Null, where);
                    Assert.That(caught!.Code, Is.EqualTo(KernelErrorCode.Internal), where);
                    Assert.That(caught.Message, Does.Contain($"Panic in {command.Name}").And.Contain(failure!.Message), where);
                    Assert.That(caught.InnerException, Is.SameAs(failure), where);
                    break;
            }

            // Assert: the actor still serves real commands.
            ProcessInfo created = await actor.InvokeAsync("CreateProcess", static (k, pid) => k.CreateProcess(pid), new ProcessId($"after-{i}"), CancellationToken.None);
            Assert.That(created.State, Is.EqualTo(ProcessState.Ready), $"{where}: the actor stopped serving");
        }
    }

    private static Exception Panic(int type, string message) => type switch
    {
        0 => new InvalidOperationException(message),
        1 => new ArgumentException(message),
        2 => new FormatException(message),
        3 => new KeyNotFoundException(message),
        _ => new NotSupportedException(message),
    };
}
