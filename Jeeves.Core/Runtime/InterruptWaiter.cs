using System.Text.Json;

namespace Jeeves.Runtime;

/// <summary>
/// Waits for a pending interrupt to end: it listens to the kernel's <c>interrupt.*</c> events and re-reads the interrupt
/// whenever one arrives for it, and also every <see cref="PipelineRunnerOptions.InterruptRecheckInterval"/> in case an event
/// was missed.
/// </summary>
internal static class InterruptWaiter
{
    private static readonly string[] InterruptEvents = ["interrupt.*"];

    public static async Task<KernelInterrupt?> WaitAsync(IKernelClient kernel, string interruptId, TimeSpan recheck, TimeProvider time, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        IAsyncEnumerator<BusEvent>? events = null;
        Task<bool>? nextEvent = null;
        try
        {
            try
            {
                events = kernel.CommBus.SubscribeAsync(InterruptEvents, subscriberId: null, stop.Token).GetAsyncEnumerator(stop.Token);
                nextEvent = events.MoveNextAsync().AsTask();
            }
            catch (KernelException)
            {
                events = null;     // no event stream (a kernel without CommBus): re-reading alone still ends the wait
            }

            while (true)
            {
                KernelInterrupt? current = await kernel.Interrupts.GetAsync(interruptId, cancellationToken).ConfigureAwait(false);
                if (current is null || current.Status != InterruptStatus.Pending)
                {
                    return current;
                }

                using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                Task delay = Task.Delay(recheck, time, tick.Token);
                while (true)
                {
                    Task finished = nextEvent is null ? await Task.WhenAny(delay).ConfigureAwait(false) : await Task.WhenAny(nextEvent, delay).ConfigureAwait(false);
                    if (finished == delay)
                    {
                        await delay.ConfigureAwait(false);      // surfaces cancellation
                        break;
                    }

                    bool more = await SafeAsync(nextEvent!).ConfigureAwait(false);
                    BusEvent? seen = more ? events!.Current : null;
                    nextEvent = more ? events!.MoveNextAsync().AsTask() : null;
                    if (seen is null || IsAbout(seen, interruptId))
                    {
                        await tick.CancelAsync().ConfigureAwait(false);
                        break;
                    }
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            if (nextEvent is not null)
            {
                _ = await SafeAsync(nextEvent).ConfigureAwait(false);
            }

            if (events is not null)
            {
                await events.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static bool IsAbout(BusEvent e, string interruptId) =>
        e.Payload.ValueKind == JsonValueKind.Object &&
        e.Payload.TryGetProperty("interrupt_id", out JsonElement id) &&
        id.ValueKind == JsonValueKind.String &&
        id.ValueEquals(interruptId);

    private static async Task<bool> SafeAsync(Task<bool> next)
    {
        try
        {
            return await next.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (KernelException)
        {
            return false;
        }
    }
}
