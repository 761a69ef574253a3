using System.Threading.Channels;
using Jeeves.Kernel;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Jeeves.Actor;

/// <summary>
/// Runs the kernel: the only code that touches <see cref="KernelCore"/>. Commands arrive on a bounded channel and
/// are executed one at a time by a single loop, so the kernel needs no locks.
/// </summary>
/// <remarks>
/// A full queue refuses a command at once with <see cref="KernelOverloadedException"/> (retryable) instead of
/// making the caller wait. Every command runs inside a guard: an unexpected exception fails that caller with
/// <see cref="KernelErrorCode.Internal"/> and the loop carries on.
/// <para>
/// When the kernel is idle and nothing is queued, the caller runs its command itself, on its own thread, holding the
/// same exclusive gate the loop holds for each command: the kernel still runs one command at a time, and a caller
/// that finds anything queued or running joins the queue behind it. This saves the two thread hand-offs of a queued
/// command (the loop waking, then the caller's continuation), which dominate an uncontended call.
/// </para>
/// </remarks>
internal sealed class KernelActor : IAsyncDisposable
{
    private readonly KernelCore _core;
    private readonly Channel<IKernelCommand> _inbox;
    private readonly ILogger _logger;
    private readonly int _capacity;
    private readonly ITimer? _cleanupTimer;
    private readonly Task _loop;
    private volatile bool _closed;
    private volatile bool _failPending;
    private int _gate;      // 1 while some thread (the loop or an inline caller) runs a command on the kernel
    private int _queued;    // commands written (or being written) to the inbox and not yet taken by the loop

    public KernelActor(KernelCore core, int capacity, TimeSpan cleanupInterval, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(core);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(cleanupInterval, TimeSpan.Zero);

        _core = core;
        _capacity = capacity;
        _logger = logger ?? NullLogger.Instance;
        _inbox = Channel.CreateBounded<IKernelCommand>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
        _loop = RunAsync();
        if (cleanupInterval > TimeSpan.Zero)
        {
            _cleanupTimer = core.TimeProvider.CreateTimer(static s => ((KernelActor)s!).PostCleanup(), this, cleanupInterval, cleanupInterval);
        }
    }

    /// <summary>Gets the capacity of the request queue.</summary>
    public int Capacity => _capacity;

    /// <summary>Gets a task that completes when the loop has stopped.</summary>
    public Task Completion => _loop;

    /// <summary>Posts an operation to the kernel and returns its result.</summary>
    /// <remarks>
    /// Cancelling <paramref name="cancellationToken"/> after the command was queued stops the wait, not the
    /// command: the kernel still runs it.
    /// </remarks>
    public Task<TResult> InvokeAsync<TState, TResult>(
        string name, Func<KernelCore, TState, TResult> operation, TState state, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(cancellationToken);
        }

        // The queue's own count takes the channel's lock; this counter is read without one.
        if (Volatile.Read(ref _queued) == 0 && !_closed && Interlocked.CompareExchange(ref _gate, 1, 0) == 0)
        {
            try
            {
                if (Volatile.Read(ref _queued) == 0 && !_closed)
                {
                    return RunInline(name, operation, state);
                }
            }
            finally
            {
                Volatile.Write(ref _gate, 0);
            }
        }

        return EnqueueAsync(name, operation, state, cancellationToken);
    }

    /// <summary>Queues an operation for the kernel loop, never running it on the caller's thread.</summary>
    internal Task<TResult> EnqueueAsync<TState, TResult>(
        string name, Func<KernelCore, TState, TResult> operation, TState state, CancellationToken cancellationToken)
    {
        var command = new KernelCommand<TState, TResult>(name, operation, state);
        if (!TryQueue(command))
        {
            return Task.FromException<TResult>(_closed ? Unavailable() : new KernelOverloadedException(_capacity));
        }

        return cancellationToken.CanBeCanceled ? command.Task.WaitAsync(cancellationToken) : command.Task;
    }

    /// <summary>Runs a cleanup cycle now and returns what it collected.</summary>
    public Task<CleanupStats> RunCleanupAsync(CancellationToken cancellationToken = default) =>
        InvokeAsync(nameof(KernelCore.RunCleanup), static (k, _) => k.RunCleanup(), 0, cancellationToken);

    /// <summary>Stops accepting commands and waits for the loop to end.</summary>
    /// <param name="drain"><see langword="true"/> to run the commands already queued; <see langword="false"/> to fail them with <see cref="KernelErrorCode.Unavailable"/>.</param>
    public async Task StopAsync(bool drain)
    {
        if (!drain)
        {
            _failPending = true;
        }

        _closed = true;
        if (_cleanupTimer is not null)
        {
            await _cleanupTimer.DisposeAsync().ConfigureAwait(false);
        }

        _inbox.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        Enter();        // wait out a caller still running a command inline
        Volatile.Write(ref _gate, 0);
    }

    /// <summary>Stops the actor after running the commands already queued.</summary>
    public ValueTask DisposeAsync() => new(StopAsync(drain: true));

    private static KernelException Unavailable() => KernelErrors.Unavailable("Kernel actor is unavailable");

    private void PostCleanup()
    {
        var command = new KernelNotification(nameof(KernelCore.RunCleanup), core =>
        {
            CleanupStats s = core.RunCleanup();
            _logger.CleanupCompleted(s.ProcessesRemoved, s.InterruptsRemoved, s.InterruptsExpired, s.RateWindowsCleaned, s.UserUsageEvicted);
        });
        if (!TryQueue(command) && !_closed)
        {
            _logger.CleanupSkipped();
        }
    }

    /// <summary>Writes a command to the inbox, counted as queued from before the write until the loop takes it.</summary>
    private bool TryQueue(IKernelCommand command)
    {
        _ = Interlocked.Increment(ref _queued);
        if (_inbox.Writer.TryWrite(command))
        {
            return true;
        }

        _ = Interlocked.Decrement(ref _queued);
        return false;
    }

    private async Task RunAsync()
    {
        // Yield first so the constructor returns before the loop starts waiting.
        await Task.Yield();
        ChannelReader<IKernelCommand> reader = _inbox.Reader;
        int failed = 0;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Take the gate before taking commands, so a command stays queued (and counts against the capacity) while a
            // caller runs one inline.
            Enter();
            try
            {
                while (reader.TryRead(out IKernelCommand? command))
                {
                    _ = Interlocked.Decrement(ref _queued);
                    if (_failPending)
                    {
                        command.Fail(KernelErrors.Unavailable("Kernel actor terminated while request was in flight"));
                        failed++;
                        continue;
                    }

                    Dispatch(command);
                }
            }
            finally
            {
                Volatile.Write(ref _gate, 0);
            }
        }

        _logger.ActorStopped(failed);
    }

    private Task<TResult> RunInline<TState, TResult>(string name, Func<KernelCore, TState, TResult> operation, TState state)
    {
        try
        {
            return Task.FromResult(operation(_core, state));
        }
        catch (KernelException ex)
        {
            return Task.FromException<TResult>(ex);
        }
        catch (Exception ex)
        {
            _logger.CommandFailed(name, ex);
            return Task.FromException<TResult>(KernelErrors.Internal($"Panic in {name}: {ex.Message}", ex));
        }
    }

    private void Enter()
    {
        var spin = default(SpinWait);
        while (Interlocked.CompareExchange(ref _gate, 1, 0) != 0)
        {
            spin.SpinOnce();
        }
    }

    private void Dispatch(IKernelCommand command)
    {
        try
        {
            command.Execute(_core);
        }
        catch (KernelException ex)
        {
            command.Fail(ex);
        }
        catch (Exception ex)
        {
            // The guard the reference lacks: one failing command must never stop the kernel. The failure goes to
            // its caller as INTERNAL, with the original exception kept as the inner exception.
            _logger.CommandFailed(command.Name, ex);
            command.Fail(KernelErrors.Internal($"Panic in {command.Name}: {ex.Message}", ex));
        }
    }
}
