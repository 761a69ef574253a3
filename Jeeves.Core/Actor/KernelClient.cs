using Jeeves.Actor;
using Microsoft.Extensions.Logging;

namespace Jeeves;

/// <summary>
/// Creates kernel clients.
/// </summary>
public static class KernelClient
{
    /// <summary>Starts a kernel in this process and returns a client for it.</summary>
    /// <param name="options">The kernel settings, copied now; <see langword="null"/> for defaults.</param>
    /// <param name="timeProvider">The clock for timestamps, budgets, expiry and cleanup; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">The logger, or <see langword="null"/> for none.</param>
    /// <returns>A client that owns the kernel: disposing it runs the requests already queued, then stops the kernel.</returns>
    public static IKernelClient CreateInProcess(KernelOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null) =>
        InProcessKernelClient.Create(options ?? new KernelOptions(), timeProvider ?? TimeProvider.System, logger);
}
