using Microsoft.Extensions.Logging;

namespace Jeeves.Actor;

/// <summary>Log messages of the kernel actor (event ids 1–99).</summary>
internal static partial class KernelLog
{
    [LoggerMessage(1, LogLevel.Error, "Kernel command {Command} failed unexpectedly; the kernel keeps running.", EventName = "CommandFailed")]
    public static partial void CommandFailed(this ILogger logger, string command, Exception exception);

    [LoggerMessage(2, LogLevel.Debug,
        "Cleanup removed {Processes} processes and {Interrupts} interrupts, expired {Expired} interrupts, dropped {RateWindows} rate windows and {UserUsage} usage entries.",
        EventName = "CleanupCompleted")]
    public static partial void CleanupCompleted(this ILogger logger, int processes, int interrupts, int expired, int rateWindows, int userUsage);

    [LoggerMessage(3, LogLevel.Warning, "Cleanup skipped: the kernel request queue is full.", EventName = "CleanupSkipped")]
    public static partial void CleanupSkipped(this ILogger logger);

    [LoggerMessage(4, LogLevel.Information, "Kernel actor stopped; {Failed} queued requests failed as unavailable.", EventName = "ActorStopped")]
    public static partial void ActorStopped(this ILogger logger, int failed);
}
